"""Reading every stored article back out: `export`, and `reindex-entities`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.index import Index

from search.schema import unpack_record


def iter_records(ix: Index) -> Iterator[dict[str, Any]]:
    """Every live article's interchange record, in id order (stable across rebuilds)."""
    with ix.searcher() as searcher:
        reader = searcher.reader()
        docs = sorted((stored["id"], docnum) for docnum, stored in reader.iter_docs())
        for _, docnum in docs:
            yield unpack_record(reader.stored_fields(docnum)["record"])
