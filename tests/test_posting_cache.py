"""The posting cache on real articles: a term's cached scores are exactly what decoding and
scoring give, the cache keeps to its bound in bytes, and a new commit starts a new cache.
Records read once per generation are the stored ones."""

from __future__ import annotations

import numpy as np
import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import Archive, codec
from search.generation import RECORD_CACHE
from search.postings import PostingCache
from search.schema import unpack_record


def _ingest(folder, rows, batches: int) -> None:
    size = -(-len(rows) // batches)
    for start in range(0, len(rows), size):
        items = [Parsed(f"t:{i}", article_from_dict(r)) for i, r in enumerate(rows[start:][:size])]
        ingest(folder, items, extract=False, workers=1, consolidate=False)


@pytest.fixture(scope="module")
def reuters(tmp_path_factory, corpus_rows):
    """Reuters' first 900 articles in three segments (short tuple blocks and full ones)."""
    folder = tmp_path_factory.mktemp("reuters")
    _ingest(folder, corpus_rows("reuters21578", 900), batches=3)
    return folder


def _terms(gen, fieldname: str, count: int) -> list[str]:
    """The 30 most frequent terms of the field, about `count` more down to the rarest, and
    one absent."""
    frequency: dict[str, int] = {}
    for leaf, _ in gen.leaves:
        for text, info in codec.field_terms(leaf, fieldname):
            frequency[text] = frequency.get(text, 0) + info.doc_frequency()
    found = sorted(frequency, key=lambda t: (-frequency[t], t))
    return found[:30] + found[30 :: max(1, len(found) // count)] + ["zzyzxnothere"]


def test_cached_scores_are_what_decoding_and_scoring_give(reuters):
    archive = Archive(reuters)
    with archive.reading() as gen:
        assert len(gen.leaves) == 3
        fresh = codec.Lexicons(gen.leaves)
        checked = 0
        for fieldname in ("title", "body"):
            for term in _terms(gen, fieldname, 150):
                ids, scores = gen.term_scores(fieldname, term)
                expected_ids, weights = fresh.postings(fieldname, term)
                assert np.array_equal(ids, expected_ids)
                assert np.array_equal(scores, gen._scores(fieldname, expected_ids, weights))
                again = gen.term_scores(fieldname, term)
                assert again[0] is ids and again[1] is scores  # kept, not decoded again
                assert not scores.flags.writeable  # shared: no caller may change it
                assert gen.doc_frequency(fieldname, term) == len(expected_ids)
                checked += len(ids) > 128
        assert checked > 10  # lists of several blocks among them


def test_weights_and_scores_are_kept_together(reuters):
    """More like this reads a term's raw weights, a search its scores: one decoding serves
    both, in either order."""
    archive = Archive(reuters)
    with archive.reading() as gen:
        ids, weights = gen.postings.get("body", "oil")
        assert weights.dtype == np.float32 and len(ids) > 50
        size = gen.postings.size_bytes
        scored_ids, scores = gen.term_scores("body", "oil")
        assert scored_ids is ids and scores.dtype == np.float64
        assert np.array_equal(scores, gen._scores("body", ids, weights))
        assert gen.postings.size_bytes == size + scores.nbytes
        assert gen.postings.get("body", "oil")[1] is weights
        scored_ids, scores = gen.term_scores("title", "oil")
        assert gen.postings.get("title", "oil")[0] is scored_ids


def test_the_cache_keeps_to_its_bound_in_bytes(reuters):
    archive = Archive(reuters)
    with archive.reading() as gen:
        bound = 48 << 10
        cache = PostingCache(gen.leaves, bound)
        fresh = codec.Lexicons(gen.leaves)
        biggest = 0
        for term in _terms(gen, "body", 400):
            ids, scores = cache.scored("body", term, lambda i, w: w.astype(np.float64) * 2)
            biggest = max(biggest, ids.nbytes * 2 + scores.nbytes + 100)  # weights as ids
            assert cache.size_bytes <= max(bound, biggest)
            assert np.array_equal(ids, fresh.postings("body", term)[0])
        assert cache.size_bytes > bound // 2  # it was filled, and evicted to stay under
        held = sum(sum(a.nbytes for a in entry) + 100 for entry in cache._items.values())
        assert held == cache.size_bytes
        first = _terms(gen, "body", 400)[0]
        assert cache.peek("body", first) is None  # the oldest went first


def test_a_new_commit_gets_a_new_cache(tmp_path, corpus_rows):
    rows = corpus_rows("reuters21578", 400)
    _ingest(tmp_path, rows[:300], batches=1)
    archive = Archive(tmp_path)
    before = archive.search("oil")["total"]
    with archive.reading() as gen:
        old = gen
        old_ids = gen.term_scores("body", "oil")[0]
    _ingest(tmp_path, rows[300:], batches=1)
    after = archive.search("oil")
    assert after["generation"] > old.generation and after["total"] > before
    with archive.reading() as gen:
        assert gen is not old and gen.postings is not old.postings
        ids = gen.term_scores("body", "oil")[0]
        assert len(ids) > len(old_ids)
        assert np.array_equal(ids, codec.Lexicons(gen.leaves).postings("body", "oil")[0])


def test_records_are_the_stored_ones_and_few_are_kept(reuters):
    archive = Archive(reuters)
    with archive.reading() as gen:
        for doc in range(0, 3 * RECORD_CACHE):
            stored = unpack_record(gen.searcher.stored_fields(doc)["record"])
            assert gen.record(doc) == stored
            assert gen.record(doc) is gen.record(doc)
            assert len(gen._records) <= RECORD_CACHE
