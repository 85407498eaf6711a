"""The cache of highlighted results (search.highlights): the same answers as highlighting
afresh, within its bound, and emptied with each new generation."""

from __future__ import annotations

import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import Archive, snippets
from search.highlights import HighlightCache

QUERIES = [
    "minsk",
    "belarus elections",
    '"prime minister"',
    "what did the government say about the elections in the country last week",
    "lukashenka OR csto",
]


@pytest.fixture(scope="module")
def archive(web_index):
    return Archive(web_index)


def _fresh(archive: Archive, q: str) -> dict:
    """The answer with an empty cache that keeps nothing: everything highlighted afresh."""
    with archive.reading() as gen:
        kept, gen.highlights = gen.highlights, HighlightCache(0)
    try:
        return archive.search(q, per_page=20)
    finally:
        gen.highlights = kept


def test_cached_answers_are_those_highlighted_afresh(archive):
    for q in QUERIES:
        fresh = _fresh(archive, q)
        first, again = archive.search(q, per_page=20), archive.search(q, per_page=20)
        assert fresh["results"], q
        for answer in (first, again):
            assert [(r["title"], r["snippet"]) for r in answer["results"]] == [
                (r["title"], r["snippet"]) for r in fresh["results"]
            ], q
    with archive.reading() as gen:
        assert len(gen.highlights) >= sum(len(_fresh(archive, q)["results"]) for q in QUERIES)


def test_a_query_found_again_is_not_highlighted_again(archive, monkeypatch):
    archive.search("minsk security")
    calls = []
    real = snippets.make_snippet
    monkeypatch.setattr(snippets, "make_snippet", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert archive.search("minsk security")["results"]
    assert calls == []
    archive.search("minsk belarus")  # other terms: highlighted
    assert calls


def test_the_cache_stays_within_its_bound():
    cache = HighlightCache(4_000)
    made = []

    def highlight(doc: int):
        def work():
            made.append(doc)
            return f"title {doc}", "snippet " * 50

        return work

    for doc in range(100):
        cache.get(doc, {"minsk"}, [], highlight(doc))
        assert cache.size_bytes <= 4_000
    assert 0 < len(cache) < 20 and len(made) == 100
    newest = 99
    cache.get(newest, {"minsk"}, [], highlight(newest))  # kept: not made again
    assert len(made) == 100
    cache.get(0, {"minsk"}, [], highlight(0))  # long evicted: made again
    assert len(made) == 101
    cache.get(newest, {"minsk", "belarus"}, [], highlight(newest))  # other terms: another entry
    cache.get(newest, {"minsk"}, [["minsk", "belarus"]], highlight(newest))  # a phrase too
    assert len(made) == 103
    assert HighlightCache(10).get(1, {"minsk"}, [], highlight(1)) == ("title 1", "snippet " * 50)


def test_a_new_generation_highlights_changed_text_afresh(tmp_path):
    def article(body: str) -> list[Parsed]:
        record = {"id": "k1", "title": "Potash exports", "body": body, "date": "2020-01-02"}
        return [Parsed("test:k1", article_from_dict(record))]

    path = tmp_path / "ix"
    assert ingest(path, article("Belaruskali sells potash to China."), extract=False).ok
    archive = Archive(path)
    before = archive.search("potash")
    assert "to China" in before["results"][0]["snippet"]
    assert ingest(path, article("Potash now goes by rail through Russia."), extract=False).ok
    after = archive.search("potash")
    assert after["generation"] > before["generation"]
    assert after["results"][0]["snippet"] == "<mark>Potash</mark> now goes by rail through Russia."
    with archive.reading() as gen:
        assert len(gen.highlights) == 1
