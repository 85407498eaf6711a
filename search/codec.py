"""The read side's one window into Whoosh internals: W3 postings, columns and lexicons.

Stock matchers walk postings one document at a time in Python; exact totals,
facet counts and BM25F over every candidate need whole posting lists and
columns as numpy arrays (see the README, "Search speed"). This module reads
whoosh-reloaded's W3 codec directly (private attributes; search.blocks parses
the posting blocks' bytes it finds) and is the only module of `search/` that
reaches into Whoosh's objects: tests/test_architecture.py
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
lists themselves: this module finds a term's bytes in every segment (`Lexicons`,
the md5 of its key computed once for all of them) and search.blocks decodes
their blocks, only ids and weights, in one numpy pass (positions only for phrases, of the
few documents holding every word).

Deleted documents are NOT skipped in postings: callers AND with the live mask.
"""

from __future__ import annotations

import hashlib
import pickle
import struct
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.codec.base import Automata
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3TermInfo
from whoosh.index import TOC, FileIndex
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from search.blocks import PostingBlocks, position_keys, sorted_member, wanted_values
from search.whoosh_version import require_whoosh

require_whoosh()

# The terms file (whoosh.filedb.filetables, whoosh.codec.whoosh3): hash slots, the
# lengths before each key, a key's field number, a term info and its postings' extent.
_SLOT = struct.Struct("!Iq")
_KEY = struct.Struct("!ii")
_SLOT_SIZE, _KEY_SIZE = _SLOT.size, _KEY.size
_Keys = dict[int, tuple[bytes, int]]  # field number -> a term's key and its hash
_FIELD_NUMBER = struct.Struct("!H")
_TERM_INFO = W3TermInfo._struct
_EXTENT = struct.Struct("!qi")


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

    def _find(
        self, fieldname: str, btext: bytes, keys: _Keys | None = None
    ) -> tuple[int, int] | None:
        """Where the term's info is in the buffer (start, length); None if it is not.
        `keys`: field number -> the term's key and its hash, shared by the segments of one
        lookup (a question's words are looked up in every field of eight segments)."""
        number = self._fields.get(fieldname)
        if number is None:  # no term of this field in this segment
            return None
        found = keys.get(number) if keys is not None else None
        if found is None:
            key = _FIELD_NUMBER.pack(number) + btext
            digest = int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[-4:], "big")
            found = (key, digest)
            if keys is not None:
                keys[number] = found
        key, digest = found
        start, slots = self._tables[digest & 255]
        if not slots:
            return None
        buf, unpack, size = self._buf, _SLOT.unpack_from, len(key)
        slot = (digest >> 8) % slots
        for _ in range(slots):
            hashed, at = unpack(buf, start + slot * _SLOT_SIZE)
            if not at:
                return None
            if hashed == digest:
                stored, length = _KEY.unpack_from(buf, at)
                begin = at + _KEY_SIZE
                if stored == size and buf[begin : begin + size] == key:
                    return begin + size, length
            slot = slot + 1 if slot + 1 < slots else 0
        return None

    def doc_frequency(self, fieldname: str, btext: bytes, keys: _Keys | None = None) -> int:
        """Documents of this segment holding the term, deleted ones too."""
        if self._stock:
            return self.leaf.doc_frequency(fieldname, btext)
        found = self._find(fieldname, btext, keys)
        return 0 if found is None else _TERM_INFO.unpack_from(self._buf, found[0])[2]

    def _postings(self, fieldname: str, btext: bytes, keys: _Keys | None) -> tuple | bytes | None:
        """This segment's postings of one term: inlined (ids, weights, values), the posting
        list's bytes, or None when the segment lacks the term."""
        if self._stock:
            try:
                info = self.leaf._terms.term_info(fieldname, btext)
            except (KeyError, TermNotFound):
                return None
            return _info_postings(self.leaf, info)
        found = self._find(fieldname, btext, keys)
        if found is None:
            return None
        at, length = found
        head = at + _TERM_INFO.size
        if self._buf[at]:  # inlined: W3TermInfo.from_bytes unpickles what follows
            return pickle.loads(self._buf[head : at + length])
        offset, length = _EXTENT.unpack_from(self._buf, head)
        return self.leaf._terms._postfile.get(offset, length)

    def add_postings(
        self,
        blocks: PostingBlocks,
        fieldname: str,
        btext: bytes,
        base: int,
        keys: _Keys | None = None,
    ) -> None:
        """Add this segment's postings of one term (if any) to `blocks`, ids from `base`."""
        found = self._postings(fieldname, btext, keys)
        if found is not None:
            _add_postings(blocks, found, base)

    def values(
        self, fieldname: str, btext: bytes, wanted: np.ndarray, keys: _Keys
    ) -> tuple[list[np.ndarray], list[Any]]:
        """This segment's postings of one term among `wanted` (local ids, ascending): their
        ids and values (encoded positions), reading only the blocks that can hold them."""
        found = self._postings(fieldname, btext, keys)
        if found is None:
            return [], []
        if isinstance(found, tuple):
            ids = np.asarray(found[0], dtype=np.int64)
            keep = np.flatnonzero(sorted_member(ids, wanted))
            return [ids[keep]], [found[2][i] for i in keep]
        return wanted_values(found, wanted)


class Lexicons:
    """Every segment's Lexicon with its first doc number: one term over all of them, its
    key hashed once, its blocks decoded together (search.blocks)."""

    def __init__(self, leaves: list[tuple[Any, int]]):
        self.lexicons = [(Lexicon(leaf), base) for leaf, base in leaves]
        self._ends = [base + leaf.doc_count_all() for leaf, base in leaves]

    def positions(self, fieldname: str, text: str, docs: np.ndarray) -> np.ndarray:
        """Where one term occurs in `docs` (global ids, ascending): doc << 32 | position for
        each occurrence, ascending; only the blocks holding those docs are read (phrases)."""
        btext = text.encode("utf-8")
        keys: _Keys = {}
        ids: list[np.ndarray] = []
        values: list[Any] = []
        for (lexicon, base), end in zip(self.lexicons, self._ends, strict=True):
            lo, hi = np.searchsorted(docs, (base, end))
            if lo == hi:
                continue
            found, more = lexicon.values(fieldname, btext, docs[lo:hi] - base, keys)
            ids += [part + base for part in found]
            values += more
        return position_keys(np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64), values)

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(global doc ids, weights) of one term over every segment; deleted docs too."""
        btext = text.encode("utf-8")
        blocks = PostingBlocks()
        keys: _Keys = {}
        for lexicon, base in self.lexicons:
            lexicon.add_postings(blocks, fieldname, btext, base, keys)
        return blocks.arrays()

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents holding the term in any segment, deleted ones too (as stock counts)."""
        btext = text.encode("utf-8")
        keys: _Keys = {}
        return sum(lexicon.doc_frequency(fieldname, btext, keys) for lexicon, _ in self.lexicons)


def decode_info(leaf: Any, info: Any) -> tuple[np.ndarray, np.ndarray]:
    """Decode the postings a W3TermInfo of `leaf` points to (inlined or in the postings file)."""
    blocks = PostingBlocks()
    _add_postings(blocks, _info_postings(leaf, info), 0)
    return blocks.arrays()


def _info_postings(leaf: Any, info: Any) -> tuple | bytes:
    """What a W3TermInfo of `leaf` points to: inlined (ids, weights, values) or the bytes."""
    if info.is_inlined():
        return info.inlined_postings()
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as a 1-tuple
        length = length[0]
    return leaf._terms._postfile.get(offset, length)


def _add_postings(blocks: PostingBlocks, found: tuple | bytes, base: int) -> None:
    if isinstance(found, tuple):
        blocks.add_ids(found[0], found[1], base)
    else:
        blocks.add_list(found, base)


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
