"""The three systems eval/ir.py ranks with: plain Whoosh, SQLite FTS5 and ours.

* plain Whoosh: StemmingAnalyzer, default BM25F, the query's words OR-ed over
  title and body;
* FTS5: Python's sqlite3, `fts5(title, body, tokenize='porter')`, the query's
  words OR-ed as typed (a repeated word is repeated, which bm25() sums), ordered
  by `bm25()`;
* ours: the project's schema filled by the real ingest path
  (`index.writer.ingest`), ranked by `Archive.search` as `/api/search` runs it
  (per_page 100). Built indexes are cached under eval/.cache, keyed by the
  documents and the code that decides what the index holds.

Every system gets the query cut to the API's MAX_QUERY_LENGTH characters.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ir_collections import Collection
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import MultifieldParser, OrGroup

from search.archive import Archive
from search.limits import MAX_PER_PAGE
from search.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "eval" / ".cache"
MAX_QUERY_LENGTH = 1000  # web/settings.py's default for `q`
DEPTH = 100
_WORD = re.compile(r"\w+")
_NOT_WORD = re.compile(r"[^\w]+")


def cut(text: str) -> str:
    return text[:MAX_QUERY_LENGTH]


# --- plain Whoosh -------------------------------------------------------------------------


class PlainWhoosh:
    def __init__(self, collection: Collection):
        schema = Schema(
            num=ID(stored=True),
            title=TEXT(analyzer=StemmingAnalyzer()),
            body=TEXT(analyzer=StemmingAnalyzer()),
        )
        self._folder = tempfile.TemporaryDirectory(prefix="archive-search-ir-")
        # A folder of its own: RamStorage spills to a fixed /tmp/MAIN.tmp other runs share.
        self.ix = FileStorage(self._folder.name).create_index(schema)
        writer = self.ix.writer(limitmb=256)
        for number, title, body in collection.docs:
            writer.add_document(num=str(number), title=title, body=body)
        writer.commit()
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema, group=OrGroup)

    def rank(self, text: str, limit: int = DEPTH) -> list[int]:
        # Punctuation and case are removed so "?", "*", ":" and "AND" stay plain words.
        query = self.parser.parse(_NOT_WORD.sub(" ", cut(text)).lower())
        return [int(hit["num"]) for hit in self.searcher.search(query, limit=limit)]

    def close(self) -> None:
        self.searcher.close()
        self._folder.cleanup()


# --- SQLite FTS5 ----------------------------------------------------------------------------


class Fts5:
    def __init__(self, collection: Collection):
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter')")
        self.db.executemany(
            "INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)", collection.docs
        )

    def rank(self, text: str, limit: int = DEPTH) -> list[int]:
        words = [w.lower() for w in _WORD.findall(cut(text))]  # repeats count again, as typed
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        rows = self.db.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
            (match, limit),
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        self.db.close()


# --- ours -------------------------------------------------------------------------------------


def _index_key(collection: Collection) -> str:
    """Documents plus everything that decides what the index holds."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(repr((SCHEMA_VERSION, collection.docs)).encode())
    for name in ("search/analysis.py", "search/schema.py", "index/writer.py"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ours_index(collection: Collection, folder: Path | None = None) -> Path:
    """The collection ingested by the real path into `folder` (default: the cache)."""
    from index.readers import Parsed
    from index.records import article_from_dict
    from index.writer import ingest

    if folder is None:
        folder = CACHE / f"{collection.name.lower()}-{_index_key(collection)}"
        if (folder / "done").exists():
            return folder
        for stale in CACHE.glob(f"{collection.name.lower()}-*"):
            shutil.rmtree(stale, ignore_errors=True)
    prefix = collection.name.lower()
    items = (
        Parsed(
            f"{prefix}:{number}",
            article_from_dict({"id": f"{prefix}-{number}", "title": title, "body": body}),
        )
        for number, title, body in collection.docs
    )
    report = ingest(folder, items, extract=False, workers=1)
    if not report.ok:
        raise RuntimeError(f"{collection.name}: {report.failed[:3]}")
    (folder / "done").write_text("ok\n")
    return folder


def rank_ours(archive: Archive, text: str, limit: int = DEPTH) -> list[str]:
    """Article ids, best first, as /api/search pages them for a reader."""
    per_page = min(limit, MAX_PER_PAGE)
    ids: list[str] = []
    page = 1
    while len(ids) < limit:
        result = archive.search(cut(text), page=page, per_page=per_page, sort="relevance")
        ids += [hit["id"] for hit in result["results"]]
        if len(result["results"]) < per_page:
            break
        page += 1
    return ids[:limit]


def doc_numbers(ids: Sequence[str]) -> list[int]:
    return [int(i.rsplit("-", 1)[1]) for i in ids]
