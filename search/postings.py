"""Term postings over all segments as numpy arrays, and the scores ranking derives from
them, in one LRU per generation bounded by bytes.

Stock matchers walk postings one document at a time in Python; for exact
totals, facet counts and BM25F over every candidate that is the slow part
(see the README, "Search speed"). A term's blocks in every segment are found by
search.codec, the read side's one seam to Whoosh's internals, and decoded
together by search.blocks; this module keeps the most recently used lists. A
search asks for a term's scores (`scored`), which are kept in place of its raw
weights: a word asked for again (a long question's feedback adds the same
frequent words to many questions) costs a lookup, neither decoding nor scoring.
The cache belongs to one generation, so a new commit starts with an empty one.

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
_ENTRY_BYTES = 100  # the key, the tuple and the arrays' headers, roughly


class PostingCache:
    """Per (field, term) over all segments: doc ids with their raw weights (`get`) or with
    scores computed from them (`scored`), LRU-bounded by bytes."""

    def __init__(self, leaves: list[tuple[Any, int]], max_bytes: int = 64 << 20):
        self.lexicons = Lexicons(leaves)
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, str, str], Arrays] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, fieldname: str, text: str) -> Arrays:
        """(doc ids, weights as stored) of one term."""
        return self._cached(("weights", fieldname, text), self._decode)

    def scored(
        self, fieldname: str, text: str, score: Callable[[np.ndarray, np.ndarray], np.ndarray]
    ) -> Arrays:
        """(doc ids, score(ids, weights)) of one term: computed once, then kept (read-only)
        until evicted. `score` must depend only on the generation, never on the query."""

        def load(key: tuple[str, str, str]) -> Arrays:
            raw = self.peek(fieldname, text, "weights") or self._decode(key)
            scores = score(*raw)
            scores.flags.writeable = False
            return raw[0], scores

        return self._cached(("scores", fieldname, text), load)

    def peek(self, fieldname: str, text: str, kind: str | None = None) -> Arrays | None:
        """A term's cached arrays (scores or weights, or only `kind`), or None: never
        decodes (cheap lookups, such as a document frequency, ask first)."""
        with self._lock:
            for each in (kind,) if kind else ("scores", "weights"):
                found = self._items.get((each, fieldname, text))
                if found is not None:
                    return found
        return None

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents holding the term in any segment, deleted ones too (as stock counts)."""
        return self.lexicons.doc_frequency(fieldname, text)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def _decode(self, key: tuple[str, str, str]) -> Arrays:
        return self.lexicons.postings(key[1], key[2])

    def _cached(self, key: tuple[str, str, str], load: Callable[[Any], Arrays]) -> Arrays:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        value = load(key)
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self._bytes += _size(value)
                while self._bytes > self.max_bytes and len(self._items) > 1:
                    _, evicted = self._items.popitem(last=False)
                    self._bytes -= _size(evicted)
        return value


def _size(arrays: Arrays) -> int:
    """Bytes an entry holds (its ids counted even when another entry shares them)."""
    return arrays[0].nbytes + arrays[1].nbytes + _ENTRY_BYTES
