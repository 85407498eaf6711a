"""Where the index lives, and opening it safely (schema version checked).

The command line and the server resolve the folder the same way: `--index DIR`,
else the INDEX_DIR setting (`ARCHIVE_SEARCH_INDEX`, else `./data/index`). Creating
an index is the write side's job (index/storage.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from search import settings
from search.errors import ArchiveError
from search.schema import SCHEMA_VERSION

VERSION_FILE = "archive-search.json"


class IndexUnavailable(ArchiveError):
    """Base class: the index folder cannot be used as it is (503 to a client)."""

    status = 503


class IndexMissingError(IndexUnavailable):
    def __init__(self, path: Path):
        super().__init__(f"no index at {path}: run `archive-search ingest PATH...` to build one")


class IndexVersionError(IndexUnavailable):
    def __init__(self, path: Path, found: object):
        super().__init__(
            f"the index at {path} has schema version {found}, this version of archive-search "
            f"needs {SCHEMA_VERSION}. Rebuild it: `archive-search export --index OLD > dump.jsonl` "
            f"with the version that wrote it, then `archive-search ingest dump.jsonl` "
            f"into a new folder (or delete the folder and ingest the sources again)."
        )


def resolve_index_dir(given: str | os.PathLike | None = None) -> Path:
    """`given`, else the INDEX_DIR setting (its environment variable, else ./data/index)."""
    if given:
        return Path(given)
    return settings.value(settings.INDEX_DIR)


def read_version(path: Path) -> object:
    try:
        return json.loads((path / VERSION_FILE).read_text(encoding="utf-8"))["schema_version"]
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown (no version record)"


def open_index(path: str | os.PathLike) -> Index:
    """Open an existing index, refusing one written with another schema version."""
    path = Path(path)
    if not whoosh_index.exists_in(str(path)):
        raise IndexMissingError(path)
    found = read_version(path)
    if found != SCHEMA_VERSION:
        raise IndexVersionError(path, found)
    return whoosh_index.open_dir(str(path))
