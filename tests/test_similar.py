"""More like this: never the article itself or a copy of it; related articles first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import delete, ingest
from search import similar
from search.generation import Generation
from search.schema import unpack_record
from search.storage import open_index

ARTICLES = [
    (
        "a1",
        "Lukashenka meets Putin in Sochi",
        "Lukashenka and Putin discussed gas prices, "
        "oil transit and the union state in Sochi. Gas prices for Belarus remain high.",
        {"person": ["Alexander Lukashenka", "Vladimir Putin"], "place": ["Sochi"]},
    ),
    (
        "a2",
        "Lukashenka meets Putin in Sochi",
        "Lukashenka and Putin discussed gas prices, "
        "oil transit and the union state in Sochi. Gas prices for Belarus remain high.",
        {"person": ["Alexander Lukashenka", "Vladimir Putin"], "place": ["Sochi"]},
    ),
    (
        "a3",
        "Gas deal talks stall",
        "Minsk and Moscow failed to agree on gas prices and oil "
        "transit fees; Putin's envoy left without a deal.",
        {"person": ["Vladimir Putin"], "place": ["Minsk", "Moscow"]},
    ),
    (
        "a4",
        "Hockey season opens",
        "Dinamo Minsk won the opening hockey game of the season in front of a full arena.",
        {"organization": ["Dinamo Minsk"]},
    ),
    (
        "a5",
        "Lukashenka visits Brest",
        "The president toured a dairy farm near Brest and spoke about milk exports.",
        {"person": ["Alexander Lukashenka"], "place": ["Brest"]},
    ),
    (
        "a6",
        "Union state integration",
        "The union state roadmaps cover gas prices, oil "
        "transit, taxes and customs between Belarus and Russia.",
        {"place": ["Russia"]},
    ),
    (
        "a7",
        "Milk exports grow",
        "Dairy exports to Russia grew as milk prices rose.",
        {"place": ["Russia"]},
    ),
]


def build(folder: Path) -> Path:
    items = [
        Parsed(
            f"t:{n}",
            article_from_dict({"id": i, "title": t, "body": b, "category": "news", "entities": e}),
        )
        for n, (i, t, b, e) in enumerate(ARTICLES)
    ]
    ingest(folder, items, extract=False)
    return folder


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    ix = open_index(build(tmp_path_factory.mktemp("similar")))
    with ix.searcher() as s:
        yield s
    ix.close()


@pytest.fixture(scope="module")
def gen(searcher):
    return Generation(searcher)


def ids(searcher, found):
    return [searcher.stored_fields(d)["id"] for d, _ in found]


def docnum(searcher, article_id):
    return searcher.document_number(id=article_id)


def test_never_itself_nor_an_exact_copy(searcher, gen):
    for article_id in ("a1", "a2"):
        found = ids(searcher, similar.similar_docnums(gen, docnum(searcher, article_id)))
        assert article_id not in found
        assert {"a1", "a2"}.isdisjoint(found)


def test_shares_terms_and_entities_best_first(searcher, gen):
    found = similar.similar_docnums(gen, docnum(searcher, "a1"), limit=3)
    assert {"a3", "a6"} <= set(ids(searcher, found))
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    assert "a4" not in ids(searcher, found)  # hockey shares only "Minsk" in passing


def test_entity_alone_links_articles(searcher, gen):
    found = ids(searcher, similar.similar_docnums(gen, docnum(searcher, "a5"), limit=10))
    assert "a1" in found  # same person, different topic
    assert found.count("a1") + found.count("a2") == 1  # a copy pair is shown once


def test_limit_is_respected(searcher, gen):
    assert len(similar.similar_docnums(gen, docnum(searcher, "a6"), limit=2)) == 2


def test_fast_postings_match_stock_whoosh(searcher, gen):
    reader = searcher.reader()
    for field, term in [("body", "gas"), ("title", "lukashenka"), ("person", "vladimir putin")]:
        ids_, weights = similar._postings(gen, field, term)
        stock = list(reader.postings(field, term).items_as("weight"))
        assert ids_.tolist() == [i for i, _ in stock]
        assert np.allclose(weights, [w for _, w in stock])


def test_deleted_articles_are_not_offered(tmp_path):
    folder = build(tmp_path)
    delete(folder, ["a3"])
    ix = open_index(folder)
    with ix.searcher() as s:
        found = ids(s, similar.similar_docnums(Generation(s), s.document_number(id="a1"), 10))
        assert "a3" not in found and found
    ix.close()


@pytest.mark.slow
def test_bbc_precision_at_5(tmp_path, corpora):
    from index.readers import read_path

    report = ingest(tmp_path, read_path(str(corpora / "bbc.jsonl.gz")), extract=False)
    assert report.added == 2_225 and report.ok
    ix = open_index(tmp_path)
    with ix.searcher() as s:
        count = s.doc_count_all()
        categories = [unpack_record(s.stored_fields(d)["record"])["category"] for d in range(count)]
        total = 0.0
        gen = Generation(s)
        for d in range(count):
            found = similar.similar_docnums(gen, d, limit=5)
            total += sum(categories[o] == categories[d] for o, _ in found) / 5
    ix.close()
    assert total / count >= 0.85
