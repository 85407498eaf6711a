"""Term postings over all segments as numpy arrays, with an LRU per generation.

Stock matchers walk postings one document at a time in Python; for exact
totals, facet counts and BM25F over every candidate that is the slow part
(see the README, "Search speed"). The W3 blocks are decoded by search.codec,
the read side's one seam to Whoosh's internals; this module sums segments and
keeps the most recently used lists.

Deleted documents are NOT skipped here: callers AND with the live mask.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from search.codec import EMPTY_IDS, EMPTY_WEIGHTS, Lexicon


class PostingCache:
    """Global (doc ids, weights) per (field, term) over all segments, LRU-bounded by bytes."""

    def __init__(self, leaves: list[tuple[Any, int]], max_bytes: int = 64 << 20):
        self.lexicons = [(Lexicon(leaf), base) for leaf, base in leaves]
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

    def peek(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The cached postings of a term, or None: never decodes (cheap lookups ask first)."""
        with self._lock:
            return self._items.get((fieldname, text))

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents holding the term in any segment, deleted ones too (as stock counts)."""
        btext = text.encode("utf-8")
        return sum(lexicon.doc_frequency(fieldname, btext) for lexicon, _ in self.lexicons)

    def _load(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        btext = text.encode("utf-8")
        id_parts, weight_parts = [], []
        for lexicon, base in self.lexicons:
            ids, weights = lexicon.postings(fieldname, btext)
            if len(ids):
                id_parts.append(ids + base)
                weight_parts.append(weights)
        if not id_parts:
            return EMPTY_IDS, EMPTY_WEIGHTS
        if len(id_parts) == 1:
            return id_parts[0], weight_parts[0]
        return np.concatenate(id_parts), np.concatenate(weight_parts)

    @property
    def size_bytes(self) -> int:
        return self._bytes
