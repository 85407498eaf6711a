"""Term postings over all segments as numpy arrays, with the scores ranking derives from
them, in one LRU per generation bounded by bytes.

Stock matchers walk postings one document at a time in Python; for exact
totals, facet counts and BM25F over every candidate that is the slow part
(see the README, "Search speed"). A term's blocks in every segment are found by
search.codec, the read side's one seam to Whoosh's internals, and decoded
together by search.blocks; this module keeps the most recently used lists. A
search asks for a term's scores (`scored`), which are kept beside its raw
weights (more like this and entity pages read those): a word asked for again (a
long question's feedback adds the same frequent words to many questions) costs
a lookup, neither decoding nor scoring. The cache belongs to one generation, so
a new commit starts with an empty one.

Deleted documents are NOT skipped here: callers AND with the live mask.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from search.codec import Lexicons

Arrays = tuple[np.ndarray, np.ndarray]
_ENTRY_BYTES = 100  # the key, the entry and the arrays' headers, roughly


class PostingCache:
    """Per (field, term) over all segments: doc ids with their raw weights (`get`) and, once
    asked for, scores computed from them (`scored`), LRU-bounded by bytes."""

    def __init__(self, leaves: list[tuple[Any, int]], max_bytes: int = 64 << 20):
        self.lexicons = Lexicons(leaves)
        self.max_bytes = max_bytes
        # (ids, weights) or (ids, weights, scores)
        self._items: OrderedDict[tuple[str, str], tuple[np.ndarray, ...]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, fieldname: str, text: str) -> Arrays:
        """(doc ids, weights as stored) of one term."""
        entry = self._entry((fieldname, text))
        return entry[0], entry[1]

    def scored(
        self, fieldname: str, text: str, score: Callable[[np.ndarray, np.ndarray], np.ndarray]
    ) -> Arrays:
        """(doc ids, score(ids, weights)) of one term: computed once, then kept (read-only)
        with the term's postings. `score` must depend only on the generation, never on the
        query."""
        key = (fieldname, text)
        entry = self._entry(key)
        if len(entry) == 3:
            return entry[0], entry[2]
        scores = score(entry[0], entry[1])
        scores.flags.writeable = False
        with self._lock:
            if self._items.get(key) is entry:  # not evicted meanwhile: keep the scores too
                self._items[key] = (*entry, scores)
                self._bytes += scores.nbytes
                self._evict()
        return entry[0], scores

    def peek(self, fieldname: str, text: str) -> Arrays | None:
        """A term's cached (ids, weights), or None: never decodes (cheap lookups, such as a
        document frequency, ask first)."""
        with self._lock:
            entry = self._items.get((fieldname, text))
        return None if entry is None else (entry[0], entry[1])

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents holding the term in any segment, deleted ones too (as stock counts)."""
        return self.lexicons.doc_frequency(fieldname, text)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def _entry(self, key: tuple[str, str]) -> tuple[np.ndarray, ...]:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        value = self.lexicons.postings(*key)
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self._bytes += _size(value)
                self._evict()
            return self._items.get(key, value)

    def _evict(self) -> None:
        while self._bytes > self.max_bytes and len(self._items) > 1:
            _, evicted = self._items.popitem(last=False)
            self._bytes -= _size(evicted)


def _size(entry: tuple[np.ndarray, ...]) -> int:
    return sum(array.nbytes for array in entry) + _ENTRY_BYTES
