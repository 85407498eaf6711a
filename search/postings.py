"""Term postings over all segments as numpy arrays, with an LRU per generation.

Stock matchers walk postings one document at a time in Python; for exact
totals, facet counts and BM25F over every candidate that is the slow part
(see the README, "Search speed"). A term's blocks in every segment are found by
search.codec, the read side's one seam to Whoosh's internals, and decoded
together by search.blocks; this module keeps the most recently used lists.

Deleted documents are NOT skipped here: callers AND with the live mask.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from search.codec import Lexicons


class PostingCache:
    """Global (doc ids, weights) per (field, term) over all segments, LRU-bounded by bytes."""

    def __init__(self, leaves: list[tuple[Any, int]], max_bytes: int = 64 << 20):
        self.lexicons = Lexicons(leaves)
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
        value = self.lexicons.postings(fieldname, text)
        size = value[0].nbytes + value[1].nbytes + 100
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self._bytes += size
                while self._bytes > self.max_bytes and len(self._items) > 1:
                    _, (ids, weights) = self._items.popitem(last=False)
                    self._bytes -= ids.nbytes + weights.nbytes + 100
        return value

    def peek(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The cached postings of a term, or None: never decodes (cheap lookups ask first)."""
        with self._lock:
            return self._items.get((fieldname, text))

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents holding the term in any segment, deleted ones too (as stock counts)."""
        return self.lexicons.doc_frequency(fieldname, text)

    @property
    def size_bytes(self) -> int:
        return self._bytes
