"""The archive-search command: exit codes, summaries, export, delete, aliases, demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from web.cli import main

SEED = Path(__file__).parent / "data" / "readers" / "seed.txt"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_summary_and_exit_codes(tmp_path, capsys):
    index = str(tmp_path / "ix")
    code, out, _ = run(capsys, "ingest", "--index", index, "--no-extract", str(SEED))
    assert code == 0 and "added 2," in out and "failed 0" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "ok-1", "title": "fine"}\n{"title": \n{"body": ""}\n')
    code, out, err = run(capsys, "ingest", "--index", index, "--no-extract", str(bad))
    assert code == 1 and "added 1," in out and "failed 2" in out
    assert f"{bad}:2" in err and f"{bad}:3" in err
    code, out, _ = run(capsys, "ingest", "--index", index, "--no-extract", str(SEED))
    assert code == 0 and "unchanged 2" in out


def test_usage_errors_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["ingest", "--index", str(tmp_path), "--format", "pdf", str(SEED)])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_missing_index_is_a_clear_error(tmp_path, capsys):
    code, _, err = run(capsys, "export", "--index", str(tmp_path / "nothing"))
    assert code == 1 and "no index at" in err and "archive-search ingest" in err


def test_export_delete_and_reingest(tmp_path, capsys, monkeypatch):
    index = str(tmp_path / "ix")
    run(capsys, "ingest", "--index", index, "--no-extract", str(SEED))
    dump = tmp_path / "dump.jsonl"
    assert run(capsys, "export", "--index", index, "-o", str(dump))[0] == 0
    rows = [json.loads(line) for line in dump.read_text().splitlines()]
    assert len(rows) == 2 and all(r["id"] for r in rows)
    code, out, _ = run(capsys, "delete", "--index", index, rows[0]["id"])
    assert code == 0 and "deleted 1 of 1" in out
    monkeypatch.setattr("sys.stdin", _Stdin(dump.read_bytes()))
    code, out, _ = run(capsys, "ingest", "--index", index, "--no-extract", "-")
    assert code == 0 and "added 1," in out and "unchanged 1" in out


class _Stdin:
    def __init__(self, data: bytes):
        import io

        self.buffer = io.BytesIO(data)


def test_reindex_entities_applies_a_changed_alias_file(tmp_path, capsys, monkeypatch):
    index = str(tmp_path / "ix")
    source = tmp_path / "a.jsonl"
    source.write_text(
        json.dumps({"id": "a1", "title": "T", "entities": {"organization": ["Belneftekhim"]}})
        + "\n"
    )
    run(capsys, "ingest", "--index", index, "--no-extract", str(source))
    aliases = tmp_path / "aliases.toml"
    aliases.write_text('[organization]\n"Belarusian State Concern for Oil" = ["Belneftekhim"]\n')
    monkeypatch.setenv("ARCHIVE_SEARCH_ALIASES", str(aliases))
    code, out, _ = run(capsys, "reindex-entities", "--index", index)
    assert code == 0 and "updated 1" in out
    run(capsys, "export", "--index", index, "-o", str(tmp_path / "out.jsonl"))
    record = json.loads((tmp_path / "out.jsonl").read_text())
    assert record["entities"]["organization"] == ["Belarusian State Concern for Oil"]


def test_demo_builds_the_wikinews_archive_with_entities(tmp_path, capsys):
    index = str(tmp_path / "ix")
    code, out, _ = run(capsys, "demo", "--index", index)
    assert code == 0 and "added 293," in out
    run(capsys, "export", "--index", index, "-o", str(tmp_path / "out.jsonl"))
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    with_places = sum(bool(r["entities"]["place"]) for r in rows)
    assert with_places > 250  # extraction ran: the demo has place facets


def test_search_and_stats_on_the_seed(tmp_path, capsys):
    index = str(tmp_path / "ix")
    run(capsys, "ingest", "--index", index, str(SEED))
    code, out, _ = run(capsys, "search", "--index", index, "CSTO commitment")
    assert code == 0 and out.split()[0] in ("1", "2") and "results" in out.splitlines()[0]
    assert "Minsk has demonstrated scope of commitment to CSTO" in out
    code, out, _ = run(capsys, "search", "--index", index, "--json", "Lukashenka")
    answer = json.loads(out)
    assert answer["total"] >= 1 and "<mark>" in answer["results"][0]["snippet"]
    assert {"person", "organization", "place", "year"} <= set(answer["facets"])
    code, out, _ = run(capsys, "stats", "--index", index, "--json")
    stats = json.loads(out)
    assert stats["documents"] == 2 and stats["index_bytes"] > 0
    assert stats["date_range"] == {"from": "2017-06-19T12:17:00", "to": "2017-10-02T11:49:00"}
    persons = [item["value"] for item in stats["top"]["person"]]
    assert "Lukashenka" in persons
