"""The hand-annotated articles of other sites (AG News, BBC News): the documented selections,
every marked string in its article's text, and CoNLL tokens built from them as the Wikinews
training split's are."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest

from eval import sites_train as builder

# eval/ANNOTATION.md: all AG News test items; the first BBC articles of at most 6,000
# characters of body. Both in SHA-1 order of their ids. (articles, longest body, names at least)
SELECTIONS = {"agnews": (7600, None, 35_000), "bbc": (640, 6000, 19_000)}
KEYS = {"id", "person", "organization", "place", "misc"}


def _annotated(site: str) -> list[dict]:
    with open(builder.SITES[site].annotations, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.mark.parametrize("site", sorted(SELECTIONS))
def test_articles_are_the_documented_selection(corpora, site):
    count, longest, _ = SELECTIONS[site]
    with gzip.open(corpora / builder.SITES[site].corpus, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    assert len(rows) == {"agnews": 7600, "bbc": 2225}[site]
    ids = [r["id"] for r in rows if longest is None or len(r["body"]) <= longest]
    ordered = sorted(ids, key=lambda i: hashlib.sha1(i.encode()).hexdigest())[:count]
    annotated = _annotated(site)
    assert [row["id"] for row in annotated] == ordered
    assert all(set(row) == KEYS for row in annotated)


@pytest.mark.parametrize("site", sorted(SELECTIONS))
def test_conll_file_tags_every_marked_string(corpora, tmp_path, site):
    out = tmp_path / f"{site}.conll"
    counts = builder.build(site, out)  # raises on a marked string its article lacks
    count, _, names = SELECTIONS[site]
    assert counts["articles"] == len(_annotated(site)) == count
    text = out.read_text(encoding="utf-8")
    assert text.count(f"-DOCSTART- {site}-") == count
    tags = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line and " " in line]
    begun = {tag[2:] for tag in tags if tag.startswith("B-")}
    assert begun == {"PER", "ORG", "LOC", "MISC"}
    assert counts["entities"] == sum(tag.startswith("B-") for tag in tags) > names


def test_a_marked_string_the_article_lacks_is_an_error(corpora, tmp_path, capsys):
    row = _annotated("bbc")[0]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**row, "place": [*row["place"], "Pinskgrad"]}) + "\n")
    argv = ["bbc", "--annotations", str(bad), "--out", str(tmp_path / "x.conll")]
    assert builder.main(argv) == 1
    assert f"{row['id']}: not in the text: ['Pinskgrad']" in capsys.readouterr().err
    assert not (tmp_path / "x.conll").exists()
