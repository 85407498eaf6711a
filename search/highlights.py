"""Highlighted titles and snippets of one generation, kept for the searches that come again.

Readers repeat searches: a popular query, the same one from the widget and from the search
page, a page reloaded. Highlighting a result is most of what a search costs once its postings
are cached (search.postings), and it depends only on the article's stored text and the query's
terms and phrases; a generation's documents never change. So each (document, terms, phrases)
is highlighted once and kept, least recently used first out, within a bound on what it holds:
the characters of the text kept (keys included) plus ENTRY_OVERHEAD per entry, an estimate
of the memory (Cyrillic text takes two bytes a character). A new generation starts with an
empty cache, so an article that changed is highlighted afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

ENTRY_OVERHEAD = 400  # bytes of Python objects around each entry's text (tuples, set, node)

Key = tuple[int, frozenset[str], tuple[tuple[str, ...], ...]]


class HighlightCache:
    """(highlighted title, snippet) per (doc, terms, phrases), LRU, bounded in size."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Key, tuple[str, str]] = OrderedDict()
        self._sizes: dict[Key, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def get(
        self,
        doc: int,
        terms: set[str],
        phrases: Sequence[Sequence[str]],
        highlight: Callable[[], tuple[str, str]],
    ) -> tuple[str, str]:
        """The cached highlighting of `doc` for these terms and phrases, else `highlight()`'s
        (then kept)."""
        key = (doc, frozenset(terms), tuple(tuple(p) for p in phrases))
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = highlight()
        size = ENTRY_OVERHEAD + sum(map(len, found)) + sum(map(len, key[1]))
        size += sum(len(w) for p in key[2] for w in p)
        if size > self.max_bytes:
            return found
        with self._lock:
            if key not in self._items:
                self._items[key] = found
                self._sizes[key] = size
                self._bytes += size
                while self._bytes > self.max_bytes:
                    old, _ = self._items.popitem(last=False)
                    self._bytes -= self._sizes.pop(old)
        return found

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)
