"""The writer's public behaviour: idempotency, updates, the teaser rule, locking, versions."""

from __future__ import annotations

import gzip
import json
import threading
import time
from pathlib import Path

import pytest

from index.batch import LockTimeout, ingest_lock
from index.readers import Parsed, Problem, read_path
from index.records import article_from_dict
from index.writer import delete, ingest
from search.export import iter_records
from search.storage import VERSION_FILE, IndexVersionError, open_index

DATA = Path(__file__).parent / "data"
SEED = DATA / "readers" / "seed.txt"
DEMO = Path(__file__).resolve().parents[1] / "index" / "demo" / "wikinews-en.jsonl.gz"


def parsed(**fields) -> Parsed:
    return Parsed("test", article_from_dict(fields))


def records(index_dir: Path) -> dict[str, dict]:
    return {r["id"]: r for r in iter_records(open_index(index_dir))}


def test_seed_gives_two_articles_and_reingest_is_unchanged(tmp_path):
    first = ingest(tmp_path, read_path(str(SEED)), extract=False)
    assert (first.added, first.failed) == (2, [])
    again = ingest(tmp_path, read_path(str(SEED)), extract=False)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert again.generation == first.generation  # nothing to commit, nothing committed
    stored = records(tmp_path)
    titles = {r["title"]: r for r in stored.values()}
    main = titles["Minsk has demonstrated scope of commitment to CSTO"]
    assert main["teaser"] is False and main["date"] == "2017-06-19T12:17:00"
    assert "Similar articles" not in main["body"] and "Catholic" not in main["body"]
    teaser = titles[
        "Minsk attempts to make up for image losses from military exercises by opening to "
        "Western values"
    ]
    assert teaser["teaser"] is True and teaser["date"] == "2017-10-02T11:49:00"


def test_full_article_replaces_its_teaser_and_never_the_reverse(tmp_path):
    teaser = dict(title="Minsk and the CSTO", date="2017-06-19T12:17", body="Short.", teaser=True)
    full = dict(title="Minsk and the CSTO", date="2017-06-19T12:17:40", body="The whole text.")
    ingest(tmp_path, [parsed(id="teaser-1", **teaser)], extract=False)
    report = ingest(tmp_path, [parsed(id="full-1", **full)], extract=False)
    assert report.added == 1
    assert list(records(tmp_path)) == ["full-1"]  # the teaser (other id, same key) is gone
    report = ingest(tmp_path, [parsed(id="teaser-1", **teaser)], extract=False)
    assert report.teasers_skipped == 1
    assert [r["body"] for r in records(tmp_path).values()] == ["The whole text."]


def test_teaser_and_full_text_in_one_batch_keep_the_full_text(tmp_path):
    teaser = dict(title="Same story", date="2018-01-02T03:04", body="Teaser.", teaser=True)
    full = dict(title="Same story", date="2018-01-02T03:04", body="Full.")
    for order in ([full, teaser], [teaser, full]):
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        ingest(folder, [parsed(**order[0]), parsed(**order[1])], extract=False)
        assert [(r["body"], r["teaser"]) for r in records(folder).values()] == [("Full.", False)]


def test_untitled_articles_are_never_paired_as_teasers(tmp_path):
    """Untitled, undated articles share one teaser key; nothing pairs them (and ingest
    does not read every earlier one for each new one, which made it quadratic)."""
    untitled = [parsed(id=f"u{i}", title="", body=f"Abstract number {i}.") for i in range(30)]
    ingest(tmp_path, untitled[:20], extract=False)
    teaser = parsed(id="t", title="", body="A teaser without a title.", teaser=True)
    report = ingest(tmp_path, [*untitled[20:], teaser], extract=False)
    assert report.added == 11 and report.teasers_skipped == 0
    assert len(records(tmp_path)) == 31


def test_update_by_id_and_duplicate_ids_in_one_batch(tmp_path):
    ingest(tmp_path, [parsed(id="a", title="One", body="first")], extract=False)
    report = ingest(
        tmp_path,
        [parsed(id="a", title="One", body="second"), parsed(id="a", title="One", body="third")],
        extract=False,
    )
    assert report.updated == 2 and report.added == 0
    assert [r["body"] for r in records(tmp_path).values()] == ["third"]
    with open_index(tmp_path).searcher() as searcher:
        assert searcher.doc_count() == 1


def test_problems_are_reported_and_the_rest_is_indexed(tmp_path):
    items = [
        parsed(id="good-1", title="Good"),
        Problem("broken.jsonl:2", "malformed JSON"),
        parsed(id="good-2", body="Also good"),
    ]
    report = ingest(tmp_path, items, extract=False)
    assert report.added == 2 and not report.ok
    assert [p.where for p in report.failed] == ["broken.jsonl:2"]


def test_bad_files_never_damage_the_index(tmp_path):
    index_dir = tmp_path / "index"
    ingest(index_dir, read_path(str(SEED)), extract=False)
    before = records(index_dir)
    bad = tmp_path / "bad.jsonl.gz"
    good_line = json.dumps({"id": "ok-1", "title": "Fine"}).encode() + b"\n"
    bad.write_bytes(gzip.compress(good_line + b'{"title": "x", "date": "2017-02-30"}\n')[:-10])
    binary = tmp_path / "blob.jsonl"
    binary.write_bytes(bytes(range(256)) * 50)
    report = ingest(index_dir, [*read_path(str(bad)), *read_path(str(binary))], extract=False)
    assert len(report.failed) >= 2
    after = records(index_dir)
    assert {k: after[k] for k in before} == before  # nothing already indexed was touched


def test_export_reingests_to_the_same_records(tmp_path):
    first = ingest(tmp_path / "a", read_path(str(DEMO)), extract=False)
    assert first.added == 293 and first.ok  # the shipped Wikinews demo
    dump = tmp_path / "dump.jsonl"
    original = list(iter_records(open_index(tmp_path / "a")))
    dump.write_text("".join(json.dumps(r) + "\n" for r in original), encoding="utf-8")
    report = ingest(tmp_path / "b", read_path(str(dump)), extract=False)
    assert report.added == 293 and report.ok
    assert list(iter_records(open_index(tmp_path / "b"))) == original
    # and into the original index it changes nothing
    assert ingest(tmp_path / "a", read_path(str(dump)), extract=False).unchanged == 293


def test_delete(tmp_path):
    ingest(tmp_path, [parsed(id="a", title="A"), parsed(id="b", title="B")], extract=False)
    assert delete(tmp_path, ["a", "missing"]) == 1
    assert list(records(tmp_path)) == ["b"]


def test_second_ingest_waits_then_times_out(tmp_path):
    held = threading.Event()
    release = threading.Event()

    def holder():
        with ingest_lock(tmp_path, 5, None):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    messages: list[str] = []
    start = time.monotonic()
    with pytest.raises(LockTimeout, match="another ingest"):
        ingest(
            tmp_path, [parsed(title="x")], extract=False, lock_timeout=0.5, on_wait=messages.append
        )
    assert time.monotonic() - start >= 0.5
    assert messages and "waiting" in messages[0]
    release.set()
    thread.join()
    assert ingest(tmp_path, [parsed(title="x")], extract=False).added == 1


def test_older_schema_version_is_refused_with_the_rebuild_command(tmp_path):
    ingest(tmp_path, [parsed(title="x")], extract=False)
    (tmp_path / VERSION_FILE).write_text('{"schema_version": 0}')
    with pytest.raises(IndexVersionError, match="archive-search export"):
        open_index(tmp_path)


def test_entities_are_extracted_and_merged_with_given_ones(tmp_path):
    article = parsed(
        id="e1",
        title="Lukashenko meets CSTO ministers in Minsk",
        body="Alexander Lukashenko hosted the Collective Security Treaty Organization (CSTO) "
        "meeting in Minsk on Tuesday.",
        entities={"person": ["Vladimir Makei"]},
    )
    ingest(tmp_path, [article], extract=True)
    entities = records(tmp_path)["e1"]["entities"]
    assert "Vladimir Makei" in entities["person"]
    assert "Lukashenka" in entities["person"]  # alias file: Lukashenko -> Lukashenka
    assert "CSTO" in entities["organization"]
    assert "Collective Security Treaty Organization" not in entities["organization"]
    assert "Minsk" in entities["place"]


@pytest.mark.slow
def test_all_of_reuters_indexes_with_gold_entities(tmp_path, corpora, corpus_rows):
    rows = corpus_rows("reuters21578")
    report = ingest(tmp_path, read_path(str(corpora / "reuters21578.jsonl.gz")), extract=False)
    assert report.added == 20_841 and report.ok
    with open_index(tmp_path).searcher() as searcher:
        assert searcher.doc_count() == 20_841
        # gold tags are indexed folded: reuters-2's places include "usa"
        assert searcher.document_number(id="reuters-1") is not None
        usa = searcher.reader().doc_frequency("place", "usa")
    expected = sum("usa" in row["entities"]["place"] for row in rows)
    assert usa == expected
