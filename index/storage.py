"""Creating the index: only the writer makes a folder into an index (search/storage.py opens one).

The version record (search.storage.VERSION_FILE) is written before Whoosh's
first TOC, so a crash between the two never leaves an index without one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from search.schema import SCHEMA_VERSION, ArticleSchema
from search.storage import VERSION_FILE, open_index


def open_or_create_index(path: str | os.PathLike) -> Index:
    """Open the index for writing, creating the folder and an empty index on first use."""
    path = Path(path)
    if whoosh_index.exists_in(str(path)):
        return open_index(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / VERSION_FILE).write_text(
        json.dumps({"schema_version": SCHEMA_VERSION}) + "\n", encoding="utf-8"
    )
    return whoosh_index.create_in(str(path), ArticleSchema())
