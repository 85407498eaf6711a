"""Term postings decoded straight into numpy arrays, with an LRU per generation.

Stock matchers walk postings one document at a time in Python; for exact
totals, facet counts and BM25F over every candidate that is the slow part
(see the README, "Search speed"). This module reads Whoosh 2.7's W3 codec
blocks directly (private internals: whoosh-reloaded is pinned exactly, and
tests/test_engine.py compares this path with stock Whoosh so an upgrade that
changes the codec fails loudly).

Deleted documents are NOT skipped here: callers AND with the live mask.
"""

from __future__ import annotations

import io
import pickle
import struct
import threading
import zlib
from collections import OrderedDict
from typing import Any

import numpy as np
from whoosh.reading import TermNotFound

_MAGIC = b"W3Bl"
_INT = struct.Struct("!i")
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)


def decode_term(leaf: Any, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(local doc ids, weights) of one term in one segment reader; empty if absent."""
    terms = leaf._terms
    try:
        info = terms.term_info(fieldname, btext)
    except (KeyError, TermNotFound):
        return EMPTY_IDS, EMPTY_WEIGHTS
    return decode_info(terms, info)


def decode_info(terms: Any, info: Any) -> tuple[np.ndarray, np.ndarray]:
    """Decode the postings a W3TermInfo points to (inlined or in the postings file)."""
    if info.is_inlined():
        ids, weights, _ = info.inlined_postings()
        return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as a 1-tuple
        length = length[0]
    return decode_blocks(terms._postfile.get(offset, length))


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
        if compression:
            data = zlib.decompress(data)
        deltas, weights, _values = pickle.loads(data)
        id_parts.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        if weights is None:
            weight_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights, dtype=np.float32))
        else:
            weight_parts.append(np.asarray(weights, dtype=np.float32))
        pos = end
        if last:
            break
    ids = np.concatenate(id_parts).astype(np.int32)
    return ids, np.concatenate(weight_parts)


class PostingCache:
    """Global (doc ids, weights) per (field, term) over all segments, LRU-bounded by bytes."""

    def __init__(self, leaves: list[tuple[Any, int]], max_bytes: int = 64 << 20):
        self.leaves = leaves
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        key = (fieldname, text)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        value = self._load(fieldname, text)
        size = value[0].nbytes + value[1].nbytes + 100
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self._bytes += size
                while self._bytes > self.max_bytes and len(self._items) > 1:
                    _, (ids, weights) = self._items.popitem(last=False)
                    self._bytes -= ids.nbytes + weights.nbytes + 100
        return value

    def _load(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        btext = text.encode("utf-8")
        id_parts, weight_parts = [], []
        for leaf, base in self.leaves:
            ids, weights = decode_term(leaf, fieldname, btext)
            if len(ids):
                id_parts.append(ids + base)
                weight_parts.append(weights)
        if not id_parts:
            return EMPTY_IDS, EMPTY_WEIGHTS
        if len(id_parts) == 1:
            return id_parts[0], weight_parts[0]
        return np.concatenate(id_parts), np.concatenate(weight_parts)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Document frequency including deleted documents (what stock idf uses)."""
        return len(self.get(fieldname, text)[0])

    @property
    def size_bytes(self) -> int:
        return self._bytes
