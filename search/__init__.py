"""The read side: `Archive(index_dir).search(...)` and friends; `SearchError` for bad input.

`Archive` is imported lazily so that `index/` (which imports `search.schema`
and `search.analysis` in worker processes) does not pay for numpy and the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from search.errors import SearchError

if TYPE_CHECKING:
    from search.archive import Archive

__all__ = ["Archive", "SearchError"]


def __getattr__(name: str):
    if name == "Archive":
        from search.archive import Archive

        return Archive
    raise AttributeError(f"module 'search' has no attribute {name!r}")
