"""Rising values and timelines on a generated archive with a known spike (search side).

The archive is `gen` (tests/conftest.py): one article a day through 2020, plus undated
ones; "Spike Org" is in most articles of the last 30 days and twice before, "Steady Corp" in
every third article all year, "Twice Seen" twice in the last 30 days only. The rising list
must put the spike first, leave the steady one out and never crown the twice-seen.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import Archive, SearchError
from search import trends as tr


def _month_counts(records: list[dict[str, Any]]) -> Counter:
    return Counter(r["date"][:7] for r in records if r.get("date"))


@pytest.fixture(scope="module")
def archive(gen) -> Archive:
    archive = Archive(gen.index)
    yield archive
    archive.close()


def _values(answer: dict[str, Any]) -> list[str]:
    return [item["value"] for item in answer["rising"]]


# ---- the statistic ----


def test_g2_is_zero_for_equal_shares_and_signed_by_direction():
    a = np.array([10, 30, 1])
    b = np.array([100, 100, 100])
    scores = tr.g2_rising(a, b, 100, 1000)
    assert scores[0] == pytest.approx(0.0, abs=1e-9)
    assert scores[1] > 0 > scores[2]


def test_g2_grows_with_evidence_not_with_the_ratio_alone():
    # Same share ratio (3x), ten times the articles: far more evidence.
    small, large = tr.g2_rising(np.array([3, 30]), np.array([10, 100]), 100, 1000)
    assert large > 5 * small


def test_g2_without_a_baseline_is_zero():
    assert not tr.g2_rising(np.array([5]), np.array([0]), 10, 0).any()


# ---- rising values ----


def test_the_spike_is_found_first(archive, gen):
    answer = archive.trends("organization", days=gen.window)
    assert _values(answer)[0] == "Spike Org"
    spike = answer["rising"][0]
    recent = [r for r in gen.records[-gen.window :] if "Spike Org" in r["entities"]["organization"]]
    assert spike["count"] == len(recent)
    assert spike["baseline_count"] == len(gen.spike_before)
    assert spike["score"] > tr.MIN_SCORE


def test_steady_values_are_not_flagged(archive, gen):
    assert "Steady Corp" not in _values(archive.trends("organization", days=gen.window))
    assert archive.trends("place", days=gen.window)["rising"] == []
    assert "Everyday Person" not in _values(archive.trends("person", days=gen.window))


def test_a_value_seen_twice_is_not_crowned(archive, gen):
    assert "Twice Seen" not in _values(archive.trends("person", days=gen.window))


def test_window_and_baseline_are_reported_as_days(archive, gen):
    answer = archive.trends("organization", days=gen.window)
    assert answer["window"] == {"from": "2020-12-02", "to": "2020-12-31", "articles": gen.window}
    assert answer["baseline"] == {
        "from": "2020-01-01",
        "to": "2020-12-01",
        "articles": gen.days - gen.window,
    }


def test_filters_narrow_the_articles_considered(archive, gen):
    # Only weekly-tagged articles: far fewer, but the spike is still in them.
    weekly = archive.trends("organization", days=gen.window, filters={"tag": ["weekly"]})
    expected = sum(1 for r in gen.records if "weekly" in r["tags"] and r["date"] >= "2020-12-02")
    assert weekly["window"]["articles"] == expected
    assert _values(weekly)[:1] == ["Spike Org"]
    # A query narrows too: only the odd-numbered (alpha) articles count.
    q = archive.trends("organization", days=gen.window, q="alpha")
    assert q["window"]["articles"] == sum(
        1 for i in range(gen.days - gen.window, gen.days) if i % 2
    )


def test_a_window_with_no_articles_is_an_empty_list(archive, gen):
    answer = archive.trends("organization", days=gen.window, filters={"person": ["Twice Seen"]})
    assert answer["rising"] == []
    nothing = archive.trends("organization", days=gen.window, q="nosuchwordanywhere")
    assert nothing["rising"] == [] and nothing["window"]["articles"] == 0
    early = archive.trends("organization", days=gen.window, date_to="2020-03")
    assert early["window"]["to"] == "2020-03-31"  # `to` ends the window


def test_no_baseline_means_nothing_rises(archive):
    answer = archive.trends("organization", days=3650)
    assert answer["rising"] == [] and answer["baseline"]["articles"] == 0


def test_limit_caps_the_list(archive, gen):
    assert len(archive.trends("organization", days=gen.window, limit=1)["rising"]) == 1


def test_series_counts_each_month(archive, gen):
    answer = archive.trends("organization", days=gen.window, series=True)
    starts = answer["series"]["starts"]
    assert starts[0] == "2020-01-01" and starts[-1] == "2020-12-01"
    spike = answer["rising"][0]
    expected = _month_counts(
        [r for r in gen.records if "Spike Org" in r["entities"]["organization"]]
    )
    assert spike["series"] == [expected.get(s[:7], 0) for s in starts]


# ---- timeline ----


def test_month_buckets_equal_the_generated_counts(archive, gen):
    answer = archive.timeline("month")
    expected = _month_counts(gen.records)
    assert [b["start"] for b in answer["buckets"]] == [f"2020-{m:02d}-01" for m in range(1, 13)]
    assert [b["count"] for b in answer["buckets"]] == [
        expected[f"2020-{m:02d}"] for m in range(1, 13)
    ]
    assert answer["total"] == gen.days and answer["undated"] == len(gen.undated)


def test_year_buckets_leave_undated_articles_out(archive, gen):
    answer = archive.timeline("year", q="alpha")
    dated_alpha = sum(1 for r in gen.records if "alpha" in r["title"])
    assert answer["buckets"] == [{"start": "2020-01-01", "count": dated_alpha}]
    assert answer["undated"] == len(gen.undated)


def test_timeline_filters_and_dates_narrow(archive, gen):
    answer = archive.timeline("month", filters={"organization": ["spike org"]})
    spikes = [r for r in gen.records if "Spike Org" in r["entities"]["organization"]]
    expected = _month_counts(spikes)
    buckets = answer["buckets"]
    assert buckets[0]["start"] == "2020-03-01" and buckets[-1]["start"] == "2020-12-01"
    assert [b["count"] for b in buckets] == [expected.get(b["start"][:7], 0) for b in buckets]
    assert 0 in [b["count"] for b in buckets]  # empty months between matches are present
    june = archive.timeline("month", date_from="2020-06", date_to="2020-07")
    assert [b["start"] for b in june["buckets"]] == ["2020-06-01", "2020-07-01"]


def test_an_empty_timeline_has_no_buckets(archive):
    assert archive.timeline("month", q="nosuchwordanywhere")["buckets"] == []


def test_long_month_timelines_fall_back_to_years():
    dates = np.array([tr.EPOCH, tr.EPOCH + 60 * 366 * tr.DAY], dtype=np.int64)  # 1970..2030
    assert tr.span(dates, "month") > tr.MAX_BUCKETS
    assert tr.span(dates, "year") == 61
    years = tr.buckets(dates, "year")
    assert years[0] == {"start": "1970-01-01", "count": 1} and len(years) == 61


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda a: a.trends("category"), "facet"),
        (lambda a: a.trends("year"), "facet"),
        (lambda a: a.trends("person", days=0), "days"),
        (lambda a: a.trends("person", days=3651), "days"),
        (lambda a: a.trends("person", days="ninety"), "days"),
        (lambda a: a.trends("person", days=1.5), "days"),
        (lambda a: a.trends("person", limit=0), "limit"),
        (lambda a: a.trends("person", limit=51), "limit"),
        (lambda a: a.trends("person", date_from="2020-13"), "from"),
        (lambda a: a.trends("person", filters={"colour": ["red"]}), "colour"),
        (lambda a: a.timeline("week"), "interval"),
        (lambda a: a.timeline("month", date_to="soon"), "to"),
    ],
)
def test_bad_parameters_raise_search_error(archive, call, parameter):
    with pytest.raises(SearchError) as info:
        call(archive)
    assert info.value.parameter == parameter


def test_trends_and_timeline_do_not_disturb_search(archive, gen):
    before = archive.search("alpha", per_page=5)
    archive.trends("organization", days=gen.window, q="alpha")
    archive.timeline("month", q="alpha")
    after = archive.search("alpha", per_page=5)
    assert before["total"] == after["total"]
    assert [r["id"] for r in before["results"]] == [r["id"] for r in after["results"]]


def test_an_archive_without_dates_answers_empty_shapes(tmp_path: Path):
    """An archive without dated articles answers empty shapes, never an error."""
    items = [Parsed("u:1", article_from_dict({"id": "u1", "title": "x", "body": "y"}))]
    assert ingest(tmp_path / "ix", items, extract=False).ok
    archive = Archive(tmp_path / "ix")
    try:
        assert archive.trends("person")["rising"] == []
        assert archive.timeline()["buckets"] == []
    finally:
        archive.close()
