"""The read side's one window into Whoosh internals: W3 postings, columns and lexicons.

Stock matchers walk postings one document at a time in Python; exact totals,
facet counts and BM25F over every candidate need whole posting lists and
columns as numpy arrays (see the README, "Search speed"). This module reads
whoosh-reloaded's W3 codec directly (private attributes and the block format)
and is the only module of `search/` that does: tests/test_architecture.py
checks that, `require_whoosh` refuses another Whoosh release at import, and
tests/test_engine.py compares the fast path with stock Whoosh.

Where the public reader API is as fast (bench/seams.py measures each choice;
figures in docs/ARCHITECTURE.md) it is used instead: lexicon walks
(`iter_field`, within 5% of the terms file's `items_from`) and deleted
documents (`deleted_docs_set`, microseconds per generation either way). Term
lookups (`Lexicon`: the segment's mapped terms file probed in place, ~2x faster
than the private `term_info`, which every query word asks of every field and
segment) and columns (one read of the fixed-width bytes; the public column
reader decodes a value per call, ~8x slower) stay private, as do the posting
blocks themselves: of a block only the ids and weights are read, never its
positions (packed arrays read from the bytes; tuples, as short blocks and stock
Whoosh's segments hold them, with only the ids unpickled), and a compressed
block is inflated only as far as those.

Deleted documents are NOT skipped in postings: callers AND with the live mask.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import pickletools
import re
import struct
import zlib
from array import array
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from whoosh.codec.base import Automata
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3TermInfo
from whoosh.index import TOC, FileIndex
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from search.whoosh_version import require_whoosh

require_whoosh()

_MAGIC = b"W3Bl"
_INT = struct.Struct("!i")
_DOUBLE = struct.Struct(">d")  # pickle's BINFLOAT
PROTOCOL = 3  # index.codec's pickle protocol for block data
# A tuple of BININT1, BININT2 or BININT items after the protocol (2: stock Whoosh, 3:
# index.codec) and a MARK: a short block's id deltas, the first item it pickles.
_ID_TUPLE = re.compile(rb"\x80[\x02\x03]\((?:K.|M..|J....)+t", re.DOTALL)
# The terms file (whoosh.filedb.filetables, whoosh.codec.whoosh3): hash slots, the
# lengths before each key, a key's field number, a term info and its postings' extent.
_SLOT = struct.Struct("!Iq")
_KEY = struct.Struct("!ii")
_FIELD_NUMBER = struct.Struct("!H")
_TERM_INFO = W3TermInfo._struct
_EXTENT = struct.Struct("!qi")
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)


class Lexicon:
    """One segment's terms file (Whoosh's hash file: field number + term bytes -> term
    info), probed in place: a query looks up each word in every field and segment, and
    Whoosh's `term_info` (generators, a copy per read, a W3TermInfo built) costs several
    times the probe. The same md5 hash, tables and slots as filetables.HashReader; stock
    `term_info` where the file is not a buffer in memory or hashed otherwise."""

    def __init__(self, leaf: Any):
        self.leaf = leaf
        terms = getattr(leaf, "_terms", None)  # None: an empty index's reader
        self._fields: dict[str, int] = terms._fieldmap if terms else {}
        self._tables: list[tuple[int, int]] = terms._tindex.tables if terms else []
        self._buf = getattr(terms._tindex.dbfile, "_buf", None) if terms else None
        # Stock lookups where the file is not in memory or not hashed with md5 (type 0).
        self._stock = terms is not None and (self._buf is None or terms._tindex.hashtype != 0)

    def _find(self, fieldname: str, btext: bytes) -> tuple[int, int] | None:
        """Where the term's info is in the buffer (start, length); None if it is not."""
        number = self._fields.get(fieldname)
        if number is None:  # no term of this field in this segment
            return None
        key = _FIELD_NUMBER.pack(number) + btext
        digest = int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[-4:], "big")
        start, slots = self._tables[digest & 255]
        buf = self._buf
        slot = (digest >> 8) % slots if slots else 0
        for _ in range(slots):
            found, at = _SLOT.unpack_from(buf, start + slot * _SLOT.size)
            if not at:
                return None
            if found == digest:
                size, length = _KEY.unpack_from(buf, at)
                begin = at + _KEY.size
                if size == len(key) and buf[begin : begin + size] == key:
                    return begin + size, length
            slot = slot + 1 if slot + 1 < slots else 0
        return None

    def doc_frequency(self, fieldname: str, btext: bytes) -> int:
        """Documents of this segment holding the term, deleted ones too."""
        if self._stock:
            return self.leaf.doc_frequency(fieldname, btext)
        found = self._find(fieldname, btext)
        return 0 if found is None else _TERM_INFO.unpack_from(self._buf, found[0])[2]

    def postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(local doc ids, weights) of one term in this segment; empty if absent."""
        if self._stock:
            try:
                return decode_info(self.leaf, self.leaf._terms.term_info(fieldname, btext))
            except (KeyError, TermNotFound):
                return EMPTY_IDS, EMPTY_WEIGHTS
        found = self._find(fieldname, btext)
        if found is None:
            return EMPTY_IDS, EMPTY_WEIGHTS
        at, length = found
        head = at + _TERM_INFO.size
        if self._buf[at]:  # inlined: W3TermInfo.from_bytes unpickles what follows
            ids, weights, _ = pickle.loads(self._buf[head : at + length])
            return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)
        offset, length = _EXTENT.unpack_from(self._buf, head)
        return decode_blocks(self.leaf._terms._postfile.get(offset, length))


def decode_info(leaf: Any, info: Any) -> tuple[np.ndarray, np.ndarray]:
    """Decode the postings a W3TermInfo of `leaf` points to (inlined or in the postings file)."""
    if info.is_inlined():
        ids, weights, _ = info.inlined_postings()
        return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as a 1-tuple
        length = length[0]
    return decode_blocks(leaf._terms._postfile.get(offset, length))


def decode_blocks(buf: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Decode a W3 posting list: magic, then blocks of (length, info pickle, data)."""
    if buf[:4] != _MAGIC:
        raise ValueError("unexpected posting-list header: is whoosh-reloaded 2.7.5 installed?")
    stream = io.BytesIO(buf)
    pos = 4
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    while True:
        (length,) = _INT.unpack_from(buf, pos)
        last = length < 0
        end = pos + _INT.size + abs(length)
        stream.seek(pos + _INT.size)
        count, _maxid, _maxweight, compression, _mn, _mx = pickle.load(stream)
        data = buf[stream.tell() : end]
        compressed = data
        if compression:  # only as far as the ids and weights: positions stay packed
            data = zlib.decompressobj().decompress(compressed, _head_size(count))
        fast = _arrays(data, count) or _tuple_arrays(data, count)
        if fast is None:
            if compression:
                data = zlib.decompress(compressed)
            deltas, weights, _values = pickle.loads(data)
        else:
            deltas, weights = fast
        id_parts.append(np.asarray(deltas, dtype=np.int64).cumsum())
        if weights is None:
            weight_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights, dtype=np.float32))
        else:
            weight_parts.append(np.asarray(weights, dtype=np.float32))
        pos = end
        if last:
            break
    ids = (id_parts[0] if len(id_parts) == 1 else np.concatenate(id_parts)).astype(np.int32)
    return ids, np.concatenate(weight_parts)


class _Layout(NamedTuple):
    """Where this Python's pickle puts a block's arrays (index.codec writes them): the bytes
    before the id deltas' raw bytes, those between them and the weights item, and those
    before the weights' raw bytes when they are an array."""

    head: bytes
    between: bytes
    weights_head: bytes


@lru_cache(maxsize=256)
def _layout(count: int) -> _Layout:
    # Values no opcode or length looks like, so their raw bytes are found where they are.
    ids = array("I", (0xA5C3E1F7 - i for i in range(count)))
    weights = array("f", (1e30 + 1e25 * i for i in range(count)))
    probe = pickle.dumps((ids, weights, None), PROTOCOL)
    start = probe.index(ids.tobytes())
    end = start + len(ids.tobytes())
    plain = pickle.dumps((ids, None, None), PROTOCOL)
    ops = pickletools.genops(plain)
    after = next(pos for op, _, pos in ops if pos >= end and op.name == "NONE")
    return _Layout(probe[:start], plain[end:after], probe[after : probe.index(weights.tobytes())])


def _arrays(data: bytes, count: int) -> tuple[np.ndarray, Any] | None:
    """A block's id deltas and weights read straight from its pickle, positions untouched
    (most of a block's bytes); None when the block is not laid out as index.codec writes
    it (an index written by stock Whoosh or before), to be unpickled instead."""
    layout = _layout(count)
    if not data.startswith(layout.head):
        return None
    start = len(layout.head)
    end = start + 4 * count
    if not data.startswith(layout.between, end):
        return None
    deltas = np.frombuffer(data, dtype=np.uint32, count=count, offset=start)
    at = end + len(layout.between)
    marker = data[at : at + 1]
    if marker == b"N":
        return deltas, None
    if marker == b"G":
        return deltas, _DOUBLE.unpack_from(data, at + 1)[0]
    if data.startswith(layout.weights_head, at):
        offset = at + len(layout.weights_head)
        return deltas, np.frombuffer(data, dtype=np.float32, count=count, offset=offset)
    return None


def _head_size(count: int) -> int:
    """Bytes enough for a block's id deltas and weights, never all its positions: in tuples,
    at most 5 bytes an id and 9 a weight (and 16 of opcodes); packed, 8 bytes a posting
    beside the arrays' pickle opcodes (under 100 bytes in all)."""
    return max(14 * count + 16, 8 * count + 128)


def _tuple_arrays(data: bytes, count: int) -> tuple[tuple[int, ...], Any] | None:
    """A short block's id deltas and weights, as index.codec (pickle protocol 3) and stock
    Whoosh (2) write them in tuples, read without unpickling its positions: the end of the
    ids tuple is found in C (`_ID_TUPLE`), only the ids are unpickled, and the weights, 9-byte
    BINFLOAT items, are read as a strided array. None when the block is laid out otherwise
    (tuples of up to three items have no MARK to start from), to be unpickled instead."""
    found = _ID_TUPLE.match(data) if count > 3 else None
    if found is None:
        return None
    at = found.end()
    deltas = pickle.loads(data[:at] + b".")
    memo = data[at : at + 1]  # the tuple's BINPUT (LONG_BINPUT past 255 memo entries)
    at += 2 if memo == b"q" else 5 if memo == b"r" else 0
    if len(deltas) != count or at == found.end():
        return None
    marker = data[at : at + 1]
    if marker == b"N":
        return deltas, None
    if marker == b"G":
        return deltas, _DOUBLE.unpack_from(data, at + 1)[0]
    end = at + 1 + 9 * count
    if marker != b"(" or data[at + 1 : end : 9] != b"G" * count or data[end : end + 1] != b"t":
        return None
    return deltas, np.ndarray((count,), dtype=">f8", buffer=data, offset=at + 2, strides=(9,))


def deleted_docs(leaf: Any) -> np.ndarray:
    """Local numbers of the deleted documents of one segment (public API)."""
    if not leaf.has_deletions():
        return np.zeros(0, dtype=np.int64)
    return np.fromiter(leaf.deleted_docs_set, dtype=np.int64)


def column_bytes(leaf: Any, name: str, column: Any) -> tuple[bytes, int]:
    """A fixed-width column's raw bytes in one segment, and its value count (0 if absent)."""
    perdoc = leaf._perdoc
    if not perdoc.has_column(name):
        return b"", 0
    creader = perdoc.column_reader(name, column)
    return creader._dbfile.get(creader._basepos, creader._count * creader._fixedlen), (
        creader._count
    )


def length_bytes(leaf: Any, fieldname: str) -> tuple[bytes, int]:
    """One segment's byte-quantised lengths of `fieldname` (whoosh.util.numeric's code)."""
    return column_bytes(leaf, f"_{fieldname}_len", LENGTHS_COLUMN)


def field_terms(leaf: Any, fieldname: str) -> Iterator[tuple[str, Any]]:
    """(text, terminfo) for every term of one field in one segment, in order (public API)."""
    if fieldname not in leaf.indexed_field_names():
        return
    for btext, info in leaf.iter_field(fieldname):
        yield btext.decode("utf-8"), info


def prefix_terms(leaf: Any, fieldname: str, prefix: str) -> Iterator[tuple[str, Any]]:
    """(text, terminfo) for the terms of one field in one segment starting with `prefix`,
    in order (public API)."""
    if fieldname not in leaf.indexed_field_names():
        return
    for btext, info in leaf.iter_prefix(fieldname, prefix):
        yield btext.decode("utf-8") if isinstance(btext, bytes) else btext, info


def levenshtein_automaton(text: str, distance: int) -> Any:
    """Whoosh's automaton of the words within `distance` edits of `text` (first letter kept);
    build it once per fuzzy word and walk it over every segment."""
    return Automata.levenshtein_dfa(text, distance, 1)


def automaton_matches(leaf: Any, fieldname: str, dfa: Any) -> Iterator[bytes]:
    """The terms of `fieldname` in one segment that `dfa` accepts, lazily, in order."""
    spelling = leaf.schema[fieldname].spelling_fieldname(fieldname)
    return Automata.find_matches(dfa, leaf.cursor(spelling))


def open_generation(ix: Any, generation: int) -> Searcher:
    """A searcher over exactly `generation` of `ix`, read from that generation's own TOC
    (never "whatever is latest now"): for pages pinned to a generation (search.pinned)."""
    storage, name = ix.storage, ix.indexname
    toc = TOC.read(storage, name, gen=generation)
    reader = FileIndex._reader(storage, toc.schema, toc.segments, generation)
    return Searcher(reader, fromindex=ix)
