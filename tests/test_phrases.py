"""search.phrases: the documents a phrase matches are exactly those Whoosh's own phrase
matcher finds, on real articles in several segments with deleted ones among them."""

from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh import query as wq

from index import codec as index_codec
from index.readers import Parsed
from index.records import article_from_dict
from index.writer import delete, ingest
from search import Archive, phrases
from search.analysis import analyze


def _build(folder, rows, batches: int) -> None:
    size = -(-len(rows) // batches)
    for start in range(0, len(rows), size):
        items = [
            Parsed(f"t:{start + i}", article_from_dict({**r, "id": f"a{start + i}"}))
            for i, r in enumerate(rows[start:][:size])
        ]
        ingest(folder, items, extract=False, workers=1, consolidate=False)


def _whoosh_phrase_docs(gen, fieldname: str, terms: list[str]) -> list[int]:
    """What the engine asked Whoosh before: its Phrase matcher over every segment."""
    query = wq.Phrase(fieldname, terms) if len(terms) > 1 else wq.Term(fieldname, terms[0])
    found = []
    for sub, base in gen.searcher.leaf_searchers():
        matcher = query.matcher(sub)
        while matcher.is_active():
            found.append(matcher.id() + base)
            matcher.next()
    return found


def _phrases(rows, rng: random.Random, count: int) -> list[list[str]]:
    """Runs of 2-4 consecutive terms of real titles and bodies, a word repeated, and runs
    that cross articles (rarely in any one document)."""
    out = []
    for row in rng.sample(rows, count):
        terms = analyze(f"{row['title']} {row['body']}")
        if len(terms) < 6:
            continue
        start = rng.randrange(len(terms) - 4)
        out.append(terms[start : start + rng.choice((2, 2, 3, 4))])
        out.append([terms[start], terms[start]])  # "very very", "new new"
        out.append([terms[start], analyze(rng.choice(rows)["title"] or "x")[0]])
    out += [["said", "the"], ["said", "state"], ["prime", "minist"], ["zzyzx", "said"]]
    return out


@pytest.mark.parametrize("protocol", [index_codec.PROTOCOL, 2])
def test_phrase_docs_equal_whooshs_phrase_matcher(tmp_path, corpus_rows, monkeypatch, protocol):
    """BBC news in three segments (inlined lists, short blocks, full packed blocks, as
    index.codec writes them, or pickled as stock Whoosh does with protocol 2), some articles
    deleted: for hundreds of phrases, in title and body, the same documents."""
    monkeypatch.setattr(index_codec, "PROTOCOL", protocol)
    rows = corpus_rows("bbc", 900)
    _build(tmp_path / "ix", rows, batches=3)
    assert delete(tmp_path / "ix", [f"a{i}" for i in range(0, 900, 7)]) == 129
    archive = Archive(tmp_path / "ix")
    rng = random.Random(13)
    matched = long_lists = 0
    with archive.reading() as gen:
        assert len(gen.leaves) >= 3 and not gen.live.all()
        for terms in _phrases(rows, rng, 150):
            for fieldname in ("title", "body"):
                found = phrases.phrase_docs(gen, fieldname, terms, lambda: False)
                assert found.tolist() == _whoosh_phrase_docs(gen, fieldname, terms), terms
                matched += len(found) > 0
                long_lists += len(gen.postings.get(fieldname, terms[0])[0]) > 300  # full blocks
    assert matched > 120 and long_lists > 20, (matched, long_lists)


def test_a_phrase_past_the_deadline_matches_nothing(tmp_path, corpus_rows):
    _build(tmp_path / "ix", corpus_rows("bbc", 200), batches=1)
    with Archive(tmp_path / "ix").reading() as gen:
        said = phrases.phrase_docs(gen, "body", ["prime", "minist"], lambda: False)
        assert len(said) > 5
        late = phrases.phrase_docs(gen, "body", ["prime", "minist"], lambda: True)
        assert np.array_equal(late, phrases.EMPTY)
