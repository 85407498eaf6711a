"""The hand-annotated AG News items: the documented selection, every marked string in its
item's text, and CoNLL tokens built from them as the Wikinews training split's are."""

from __future__ import annotations

import gzip
import hashlib
import json

from eval import agnews_train as builder


def _annotated() -> list[dict]:
    with open(builder.ANNOTATIONS, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_items_are_the_documented_selection(corpora):
    """eval/ANNOTATION.md: every AG News test item, in SHA-1 order of their ids."""
    with gzip.open(corpora / "ag-news-test.jsonl.gz", "rt", encoding="utf-8") as handle:
        ids = [json.loads(line)["id"] for line in handle]
    assert len(ids) == 7600
    ordered = sorted(ids, key=lambda i: hashlib.sha1(i.encode()).hexdigest())
    rows = _annotated()
    assert [row["id"] for row in rows] == ordered
    assert all(set(row) == {"id", "person", "organization", "place", "misc"} for row in rows)


def test_conll_file_tags_every_marked_string(corpora, tmp_path):
    out = tmp_path / "agnews.conll"
    counts = builder.build(out)  # raises on a marked string its item lacks
    rows = _annotated()
    assert counts["articles"] == len(rows) == 7600
    text = out.read_text(encoding="utf-8")
    assert text.count("-DOCSTART- agnews-test-") == 7600
    tags = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line and " " in line]
    begun = {tag[2:] for tag in tags if tag.startswith("B-")}
    assert begun == {"PER", "ORG", "LOC", "MISC"}
    assert counts["entities"] == sum(tag.startswith("B-") for tag in tags) > 35_000


def test_a_marked_string_the_item_lacks_is_an_error(corpora, tmp_path, capsys):
    row = _annotated()[0]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**row, "place": [*row["place"], "Pinskgrad"]}) + "\n")
    assert builder.main(["--annotations", str(bad), "--out", str(tmp_path / "x.conll")]) == 1
    assert f"{row['id']}: not in the text: ['Pinskgrad']" in capsys.readouterr().err
    assert not (tmp_path / "x.conll").exists()
