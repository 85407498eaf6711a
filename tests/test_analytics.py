"""The search log: what is kept (and what never is), in the background, bounded in time and size,
outside the index folder; and the report that reads one log or several."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from web import analytics
from web.analytics import Recorder, normalize_query
from web.analytics_report import LogError, report
from web.settings import SettingsError


def rows(path: Path) -> list[tuple]:
    """The logged rows, oldest first (none when nothing was ever logged)."""
    if not path.exists():
        return []
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(
            "SELECT query, filters, results, page, partial FROM searches ORDER BY id"
        ).fetchall()


@pytest.fixture
def logged(make_app, tmp_path: Path):
    """An app logging to its own file, and a function that flushes and reads that file."""
    path = tmp_path / "log" / "searches.sqlite"
    app = make_app(ANALYTICS_DB=str(path))

    def read() -> list[tuple]:
        assert app.extensions["archive_search_analytics"].flush()
        return rows(path)

    return app, app.test_client(), read


def test_searches_are_logged_normalised_with_filters_and_counts(logged):
    _, client, read = logged
    first = client.get("/api/search?q=%20MINSK%20%20Security&place=Minsk").json
    second = client.get("/api/search?q=minsk&page=2&per_page=1").json
    client.get("/?q=Lukashenka&from=2017")  # the search page logs too
    page = client.get("/api/search?q=lukashenka&from=2017").json
    assert read() == [
        ("minsk security", '{"place":["Minsk"]}', first["total"], 1, 0),
        ("minsk", "{}", second["total"], 2, 0),
        ("lukashenka", '{"from":["2017"]}', page["total"], 1, 0),
        ("lukashenka", '{"from":["2017"]}', page["total"], 1, 0),
    ]
    assert first["total"] > 0 and page["total"] > 0


def test_nothing_identifies_a_reader(logged):
    app, client, read = logged
    client.get(
        "/api/search?q=minsk",
        headers={"Cookie": "reader=secret-cookie", "User-Agent": "secret-agent"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    read()
    path = app.extensions["archive_search_analytics"].path
    with closing(sqlite3.connect(path)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(searches)")]
        dump = "\n".join(conn.iterdump())
    assert columns == ["id", "at", "query", "filters", "results", "took_ms", "page", "partial"]
    for secret in ("203.0.113.7", "secret-cookie", "secret-agent"):
        assert secret not in dump


def test_browsing_and_errors_are_not_searches(logged):
    _, client, read = logged
    client.get("/")
    client.get("/api/search")
    client.get("/api/search?q=minsk&page=0")  # a 400
    client.get("/api/suggest?q=mins")
    assert read() == []


def test_a_typed_query_counts_once(logged):
    _, client, read = logged
    for typed in ("mi", "min", "mins", "minsk", "minsk lu", "minsk luk"):
        client.get("/api/search", query_string={"q": typed, "partial": 1})
    client.get("/api/search", query_string={"q": "russia", "partial": 1})
    client.get("/api/search", query_string={"q": "minsk"})  # submitted: always kept
    assert [(q, partial) for q, _, _, _, partial in read()] == [
        ("minsk luk", 1),
        ("russia", 1),
        ("minsk", 0),
    ]


def test_typed_rows_settle_across_batches(logged):
    app, client, read = logged
    client.get("/api/search", query_string={"q": "mins", "partial": 1})
    read()
    client.get("/api/search", query_string={"q": "minsk", "partial": 1})
    assert [q for q, *_ in read()] == ["minsk"]


def test_analytics_off_logs_nothing(make_app, tmp_path: Path):
    path = tmp_path / "off.sqlite"
    app = make_app(ANALYTICS="off", ANALYTICS_DB=str(path))
    assert app.extensions["archive_search_analytics"] is None
    app.test_client().get("/api/search?q=minsk")
    assert not path.exists()


def test_the_log_may_not_live_inside_the_index_folder(make_app, web_index: Path):
    with pytest.raises(SettingsError, match="inside the index folder"):
        make_app(ANALYTICS_DB=str(web_index / "searches.sqlite"))


def test_the_default_log_sits_beside_the_index(make_app, web_index: Path):
    recorder = make_app().extensions["archive_search_analytics"]
    assert recorder.path == web_index.resolve().parent / "analytics.sqlite"


def test_a_search_never_waits_for_the_log(make_app, tmp_path: Path):
    path = tmp_path / "locked.sqlite"
    app = make_app(ANALYTICS_DB=str(path))
    client = app.test_client()
    client.get("/api/search?q=minsk")
    assert app.extensions["archive_search_analytics"].flush()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # the writer cannot write until this ends
    try:
        for _ in range(5):
            assert client.get("/api/search?q=russia").status_code == 200
        assert not app.extensions["archive_search_analytics"].flush(timeout=0.5)  # still queued
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert app.extensions["archive_search_analytics"].flush()
    assert [q for q, *_ in rows(path)] == ["minsk"] + ["russia"] * 5


def record_rows(recorder: Recorder, count: int, at: int, query: str = "q") -> None:
    for i in range(count):
        recorder.record((at, f"{query} {i}", "{}", i % 3, 1.0, 1, 0))
    assert recorder.flush()


def test_a_flood_cannot_grow_the_log_past_its_cap(tmp_path: Path):
    path = tmp_path / "capped.sqlite"
    max_bytes = 1 << 20  # the smallest cap the setting allows (1 MB)
    recorder = Recorder(path, days=90, max_bytes=max_bytes)
    long_query = "x" * analytics.MAX_QUERY_CHARS
    for _ in range(8):
        record_rows(recorder, 2000, int(time.time()), long_query)
        assert path.stat().st_size <= max_bytes
    kept = [q for q, *_ in rows(path)]
    assert 0 < len(kept) < 8 * 2000  # the oldest went, the newest stayed
    assert kept[-1] == f"{long_query} 1999"


def test_the_queue_is_bounded(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(analytics, "QUEUE_SIZE", 10)
    recorder = Recorder(tmp_path / "q.sqlite", days=90, max_bytes=1 << 20)
    blocker = sqlite3.connect(tmp_path / "q.sqlite", isolation_level=None)
    blocker.execute("CREATE TABLE IF NOT EXISTS hold (x)")
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        for i in range(50):
            recorder.record((int(time.time()), f"q{i}", "{}", 0, 1.0, 1, 0))
        # The writer is stuck opening the locked file: 10 rows wait, the rest are dropped.
        assert recorder.dropped == 50 - 10
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert recorder.flush()


def test_retention_keeps_n_days(tmp_path: Path):
    path = tmp_path / "old.sqlite"
    recorder = Recorder(path, days=7, max_bytes=1 << 20)
    now = int(time.time())
    record_rows(recorder, 3, now - 8 * 86400, "old")
    recorder._pruned = 0.0  # retention runs with the next write
    record_rows(recorder, 2, now, "new")
    assert [q for q, *_ in rows(path)] == ["new 0", "new 1"]


def test_normalize_query():
    assert normalize_query("  Łukaszenka   ＭＩＮＳＫ ") == "łukaszenka minsk"
    assert len(normalize_query("a" * 5000)) == analytics.MAX_QUERY_CHARS
    assert normalize_query(None) == ""


# ---- reading ----


def make_log(path: Path, entries: list[tuple]) -> Path:
    recorder = Recorder(path, days=3650, max_bytes=1 << 20)
    for entry in entries:
        recorder.record(entry)
    assert recorder.flush()
    return path


DAY = 86400
NOW = 1_780_000_000  # 2026-05-28 (UTC)


def test_report_counts_first_pages_and_fills_every_day(tmp_path: Path):
    log = make_log(
        tmp_path / "a.sqlite",
        [
            (NOW, "minsk", '{"person":["Lukashenka"]}', 5, 1.0, 1, 0),
            (NOW, "minsk", "{}", 5, 1.0, 2, 0),  # page 2: not another search
            (NOW - DAY, "minsk", "{}", 4, 1.0, 1, 0),
            (NOW - DAY, "zimbab", "{}", 0, 1.0, 1, 0),
            (NOW - 2 * DAY, "", '{"place":["Minsk"],"person":["Lukashenka"]}', 9, 1.0, 1, 0),
            (NOW - 40 * DAY, "too old", "{}", 1, 1.0, 1, 0),
        ],
    )
    answer = report([log], days=3, now=NOW)
    assert answer["searches"] == 4
    assert answer["zero_result_searches"] == 1
    assert answer["top_queries"] == [
        {"query": "minsk", "count": 2, "results": 5},
        {"query": "zimbab", "count": 1, "results": 0},
    ]
    assert answer["zero_result_queries"] == [{"query": "zimbab", "count": 1}]
    assert answer["top_filters"] == [
        {"filter": "person", "value": "Lukashenka", "count": 2},
        {"filter": "place", "value": "Minsk", "count": 1},
    ]
    assert answer["per_day"] == [
        {"day": "2026-05-26", "count": 1},
        {"day": "2026-05-27", "count": 2},
        {"day": "2026-05-28", "count": 1},
    ]


def test_report_reads_several_logs_as_one(tmp_path: Path):
    a = make_log(tmp_path / "a.sqlite", [(NOW, "minsk", "{}", 5, 1.0, 1, 0)] * 2)
    b = make_log(tmp_path / "b.sqlite", [(NOW, "minsk", "{}", 5, 1.0, 1, 0),
                                         (NOW, "belarus", "{}", 7, 1.0, 1, 0)])  # fmt: skip
    answer = report([a, b], days=1, now=NOW)
    assert answer["logs"] == 2
    assert answer["searches"] == 4
    assert answer["top_queries"][0] == {"query": "minsk", "count": 3, "results": 5}


def test_report_on_a_missing_log_is_empty_and_a_foreign_file_is_an_error(tmp_path: Path):
    empty = report([tmp_path / "none.sqlite"], days=2, now=NOW)
    assert empty["searches"] == 0
    assert [d["count"] for d in empty["per_day"]] == [0, 0]
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database")
    with pytest.raises(LogError, match="notes.txt"):
        report([foreign], now=NOW)
