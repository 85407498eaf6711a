"""search.blocks and codec.Lexicons: a term's postings over every segment, decoded in one pass,
are exactly what stock Whoosh's matchers read, segment by segment, on real articles."""

from __future__ import annotations

import pickle
import zlib

import numpy as np
import pytest
from whoosh import index as whoosh_index

from index import codec as index_codec
from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import blocks, codec


def _ingest_in_batches(folder, rows, batches: int) -> None:
    size = -(-len(rows) // batches)
    for start in range(0, len(rows), size):
        items = [Parsed(f"t:{i}", article_from_dict(r)) for i, r in enumerate(rows[start:][:size])]
        ingest(folder, items, extract=False, workers=1, consolidate=False)


def _stock_postings(reader, fieldname: str, btext: bytes) -> tuple[list[int], list[float]]:
    """Global ids and weights as stock Whoosh's matchers read them (weights as stored: float32)."""
    matcher = reader.postings(fieldname, btext)
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(float(np.float32(matcher.weight())))
        matcher.next()
    return ids, weights


def _compare_every_term(folder, minimum_segments: int) -> int:
    """Every title, body and person term: Lexicons over all segments == stock, and == each
    segment's own Lexicon offset by its base (the per-segment path). Returns blocks seen."""
    ix = whoosh_index.open_dir(str(folder))
    with ix.reader() as reader:
        leaves = list(reader.leaf_readers())
        assert len(leaves) >= minimum_segments
        lexicons = codec.Lexicons(leaves)
        each = [(codec.Lexicons([(leaf, 0)]), base) for leaf, base in leaves]  # segment by segment
        keys = [k for k in reader.all_terms() if k[0] in ("title", "body", "person")]
        assert len(keys) > 2000
        long_lists = 0
        for fieldname, btext in keys + [("body", b"zzyzx"), ("nofield", b"x")]:
            text = btext.decode("utf-8")
            ids, weights = lexicons.postings(fieldname, text)
            assert ids.dtype == np.int32 and weights.dtype == np.float32
            expected_ids, expected_weights = (
                _stock_postings(reader, fieldname, btext)
                if fieldname in reader.indexed_field_names()
                and reader.doc_frequency(fieldname, btext)
                else ([], [])
            )
            assert ids.tolist() == expected_ids, (fieldname, text)
            assert weights.tolist() == expected_weights, (fieldname, text)
            assert lexicons.doc_frequency(fieldname, text) == len(expected_ids)
            parts = [(single.postings(fieldname, text), base) for single, base in each]
            plain = np.concatenate([i + base for (i, _), base in parts]).tolist()
            assert ids.tolist() == plain
            long_lists += len(ids) > 2 * index_codec.BLOCK_LIMIT
        return long_lists


def test_postings_over_segments_match_stock(tmp_path, corpus_rows):
    """Reuters in four segments: inlined lists, short tuple blocks and full packed ones, each
    segment's ids from its base, as stock Whoosh's MultiReader numbers them."""
    _ingest_in_batches(tmp_path / "ix", corpus_rows("reuters21578", 1200), batches=4)
    assert _compare_every_term(tmp_path / "ix", minimum_segments=4) >= 10


def test_blocks_pickled_otherwise_are_unpickled_exactly(tmp_path, corpus_rows, monkeypatch):
    """Blocks whose info and data another pickle protocol wrote (no regular expression or
    packed layout matches them) are unpickled whole, and read the same."""
    monkeypatch.setattr(index_codec, "PROTOCOL", 4)
    _ingest_in_batches(tmp_path / "ix", corpus_rows("reuters21578", 600), batches=2)
    unpickled = []
    real = blocks.pickle.load

    def load(stream):
        value = real(stream)
        unpickled.append(value)
        return value

    monkeypatch.setattr(blocks.pickle, "load", load)
    assert _compare_every_term(tmp_path / "ix", minimum_segments=2) > 0
    assert len(unpickled) > 1000  # every block's info went the slow way


def test_posting_blocks_sum_deltas_per_block_and_segment():
    """Each block's first delta is its first id: the sums restart at every block, and each
    block's ids start from its segment's base."""
    collected = blocks.PostingBlocks()
    collected.add_ids((3, 7, 8), (1.0, 2.0, 0.5), base=0)
    collected.add_ids((0, 4), (2.5, 2.5), base=100)
    collected.add_ids((9,), (1.0,), base=100)
    ids, weights = collected.arrays()
    assert ids.tolist() == [3, 7, 8, 100, 104, 109]
    assert weights.tolist() == [1.0, 2.0, 0.5, 2.5, 2.5, 1.0]
    assert blocks.PostingBlocks().arrays()[0].tolist() == []


def test_a_list_without_the_magic_is_refused():
    with pytest.raises(ValueError, match="posting-list header"):
        blocks.PostingBlocks().add_list(b"XXXX\x00\x00\x00\x00", 0)


def test_blocks_are_inflated_as_zlib_inflates_them():
    """A block's first bytes read past the zlib header as raw deflate are zlib's own; a
    stream with a preset dictionary (never written by Whoosh) is not read that way."""
    data = bytes(range(256)) * 40
    for level in (1, 6, 9):
        raw = zlib.compress(data, level)
        for size in (1, 100, 5000, len(data)):
            assert blocks._inflate(raw, size) == data[:size]
    packer = zlib.compressobj(zdict=b"dictionary")
    with_dictionary = packer.compress(data) + packer.flush()
    with pytest.raises(zlib.error):
        blocks._inflate(with_dictionary, 100)


def test_runs_of_tuples_and_arrays_are_joined_in_order():
    parts = [(0,), (3, 4), (5,), np.array([6, 7], dtype=np.uint32), (8,), np.array([9], np.uint32)]
    joined = blocks._int64s(parts)
    assert joined.dtype == np.int64 and joined.tolist() == [0, 3, 4, 5, 6, 7, 8, 9]


@pytest.mark.parametrize("protocol", [2, 3])
def test_short_blocks_ids_read_as_bytes_or_unpickled_alike(protocol):
    """A short block's ids whose deltas after the first are each one byte are read as a
    strided array (no unpickling); any other layout is unpickled. Both give pickle's ids,
    weights and where the ids end, whatever the first id's width."""
    cases = [
        (5, 1, 255, 0, 7),  # every delta one byte
        (300, 1, 2, 3),  # the first id two bytes
        (70_000, 9, 9, 9, 9),  # ...four
        (2**31 - 5, 1, 1, 1),
        (1, 2, 256, 3),  # a later delta too wide: unpickled
        (1, 2, 3, 65_536),
    ]
    for deltas in cases:
        weights = tuple(float(i) + 0.5 for i in range(len(deltas)))
        data = pickle.dumps((deltas, weights, ("x",) * len(deltas)), protocol)
        found_deltas, found_weights = blocks._tuple_arrays(data, len(deltas))
        assert list(found_deltas) == list(deltas) and list(found_weights) == list(weights)
        by_bytes, end = blocks._byte_deltas(data, len(deltas))
        if max(deltas[1:]) < 256:
            assert by_bytes.tolist() == list(deltas)
            assert end == blocks._ID_TUPLE.match(data).end()
        else:
            assert by_bytes is None
