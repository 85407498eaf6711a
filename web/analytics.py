"""What readers look for: every search logged to this server's own SQLite file, in the background.

A search puts one small row on a bounded queue and goes on; one writer thread
per process batches the rows into SQLite. Nothing that identifies a reader is
kept: no address, cookie or user agent, only the normalised query, filters,
result count, time taken, page and when. The file sits outside the index
folder (publishing an index never overwrites it), keeps ANALYTICS_DAYS days and
never grows past ANALYTICS_MAX_MB: SQLite's `max_page_count` refuses writes
beyond the cap, and the writer deletes the oldest rows before it gets there. A
full queue drops rows (a flood costs the log, never a search).

The widget searches while a reader types (`partial`): each of its rows replaces
the shorter ones it extends from the last SETTLE_SECONDS, so a typed query
counts once, as finally typed, not once per keystroke.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200  # longer queries are cut: enough to read, bounded per row
LOGGED_FILTER_VALUES = 10  # per facet, in one logged search
MAX_VALUE_CHARS = 100
QUEUE_SIZE = 10_000  # rows waiting for the writer; beyond that rows are dropped
BATCH_SECONDS = 0.5  # the writer gathers rows this long, then writes them in one transaction
BATCH_ROWS = 2_000
CHUNK_ROWS = 100  # rows per insert transaction, so one at the size cap is small to retry
IDLE_SECONDS = 30.0  # an idle writer thread ends; the next search starts another
PRUNE_SECONDS = 300.0  # how often retention is applied
SETTLE_SECONDS = 10  # a typed row replaces the rows it extends from this long before
WAL_BYTES = 4 << 20  # the write-ahead log is truncated to this after a checkpoint
KEEP_SHARE = 0.8  # at the size cap, the oldest rows go until this share is left

SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,       -- when, Unix seconds (UTC)
    query TEXT NOT NULL,       -- normalised: NFKC, case-folded, single spaces, <= 200 chars
    filters TEXT NOT NULL,     -- JSON {"person": ["Lukashenka"], "from": ["2017"]}
    results INTEGER NOT NULL,  -- total matches
    took_ms REAL NOT NULL,
    page INTEGER NOT NULL,
    partial INTEGER NOT NULL   -- 1: the widget's search while the reader types
);
CREATE INDEX IF NOT EXISTS searches_at ON searches (at);
"""
INSERT = (
    "INSERT INTO searches (at, query, filters, results, took_ms, page, partial) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def normalize_query(text: str | None) -> str:
    """The query as logged: NFKC, case-folded, whitespace collapsed, cut to MAX_QUERY_CHARS."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(folded.split())[:MAX_QUERY_CHARS]


def logged_filters(params: dict[str, Any]) -> str:
    """Facet filters and date bounds of a search as compact JSON, bounded in size."""
    out: dict[str, list[str]] = {}
    for name, values in sorted((params.get("filters") or {}).items()):
        kept = sorted({v.strip()[:MAX_VALUE_CHARS] for v in values if v.strip()})
        if kept:
            out[name] = kept[:LOGGED_FILTER_VALUES]
    for key, name in (("date_from", "from"), ("date_to", "to")):
        if params.get(key):
            out[name] = [str(params[key])[:MAX_VALUE_CHARS]]
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def _extends(later: tuple, row: tuple) -> bool:
    """`later` is a longer typed query starting with `row`'s, sent soon after it."""
    return (
        0 <= later[0] - row[0] <= SETTLE_SECONDS
        and len(later[1]) > len(row[1])
        and later[1].startswith(row[1])
    )


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # SQLite rolls back by itself when the file is full
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def default_path(index_dir: Path) -> Path:
    """`analytics.sqlite` beside the index folder: outside it, so publishing an index keeps it."""
    return Path(index_dir).resolve().parent / "analytics.sqlite"


def connect(path: Path, max_bytes: int) -> sqlite3.Connection:
    """The log, created if missing, with its size cap and write-ahead log set up."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA journal_size_limit={WAL_BYTES}")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={max(16, max_bytes // page_size)}")
    conn.executescript(SCHEMA)
    return conn


class Recorder:
    """One process's queue and writer thread for one log file."""

    def __init__(self, path: Path, days: int, max_bytes: int):
        self.path = Path(path)
        self.days = days
        self.max_bytes = max_bytes
        self.dropped = 0
        self._queue: queue.Queue = queue.Queue(QUEUE_SIZE)
        self._lock = threading.Lock()
        self._running = False
        self._pid = os.getpid()
        self._pruned = 0.0
        self._failed = False
        atexit.register(self.flush, 2.0)

    def record(self, row: tuple) -> None:
        """Queue one row (at, query, filters, results, took_ms, page, partial); never blocks."""
        try:
            self._queue.put_nowait(row)
        except queue.Full:
            self.dropped += 1
            return
        with self._lock:
            if self._pid != os.getpid():  # a forked worker: the parent's thread is not here
                self._pid, self._running = os.getpid(), False
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="analytics-writer", daemon=True).start()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued row is written (or dropped); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    # ---- the writer thread ----

    def _run(self) -> None:
        conn = None
        try:
            conn = connect(self.path, self.max_bytes)
            while self._write_next(conn):
                pass
        except (sqlite3.Error, OSError) as exc:
            self._warn(exc)
            self._discard()
        finally:
            if conn is not None:
                conn.close()

    def _warn(self, exc: Exception) -> None:
        if not self._failed:  # once per process: the server log is not flooded
            self._failed = True
            log.warning("search analytics: cannot write %s: %s", self.path, exc)

    def _write_next(self, conn: sqlite3.Connection) -> bool:
        """Write one batch; False when the thread should end (idle, queue empty)."""
        try:
            rows = [self._queue.get(timeout=IDLE_SECONDS)]
        except queue.Empty:
            with self._lock:
                if self._queue.empty():
                    self._running = False
                    return False
            return True
        deadline = time.monotonic() + BATCH_SECONDS
        while len(rows) < BATCH_ROWS:
            try:
                rows.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        try:
            self._insert(conn, rows)
        except sqlite3.Error as exc:  # locked too long, disk trouble: lose the batch, go on
            self.dropped += len(rows)
            self._warn(exc)
        finally:
            for _ in rows:
                self._queue.task_done()
        return True

    def _insert(self, conn: sqlite3.Connection, rows: list[tuple]) -> None:
        with _transaction(conn):
            rows = self._settle(conn, rows)
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = rows[start : start + CHUNK_ROWS]
            for attempt in range(2):
                try:
                    with _transaction(conn):
                        conn.executemany(INSERT, chunk)
                    break
                except sqlite3.OperationalError as exc:
                    if "full" not in str(exc).lower():
                        raise
                    if attempt:  # the disk itself is full: these rows are lost, not the search
                        self.dropped += len(chunk)
                    else:  # at the size cap: the oldest rows go, then one more try
                        with _transaction(conn):
                            self._shrink(conn)
        with _transaction(conn):
            self._maintain(conn)

    def _settle(self, conn: sqlite3.Connection, rows: list[tuple]) -> list[tuple]:
        """Typed rows replace the shorter rows they extend (logged, or earlier in the batch)."""
        typed = [r for r in rows if r[6]]
        if not typed:
            return rows
        conn.executemany(
            "DELETE FROM searches WHERE partial = 1 AND at BETWEEN ? AND ? "
            "AND length(query) < ? AND query = substr(?, 1, length(query))",
            [(r[0] - SETTLE_SECONDS, r[0], len(r[1]), r[1]) for r in typed],
        )
        return [r for r in rows if not (r[6] and any(_extends(later, r) for later in typed))]

    def _maintain(self, conn: sqlite3.Connection) -> None:
        """Retention every PRUNE_SECONDS; the oldest rows go when the file nears its cap."""
        now = time.time()
        if now - self._pruned > PRUNE_SECONDS:
            self._pruned = now
            conn.execute("DELETE FROM searches WHERE at < ?", (int(now) - self.days * 86400,))
        page_size, pages, free = (
            conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("page_size", "page_count", "freelist_count")
        )
        if (pages - free) * page_size > self.max_bytes * 0.95:
            self._shrink(conn)

    def _shrink(self, conn: sqlite3.Connection) -> None:
        count = conn.execute("SELECT count(*) FROM searches").fetchone()[0]
        drop = max(1, int(count * (1 - KEEP_SHARE)))
        conn.execute(
            "DELETE FROM searches WHERE id IN (SELECT id FROM searches ORDER BY id LIMIT ?)",
            (drop,),
        )

    def _discard(self) -> None:
        with self._lock:
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
                self._queue.task_done()
                self.dropped += 1
            self._running = False


def init_app(app: Flask) -> None:
    """A Recorder for this app when analytics is on, its file checked to be outside the index."""
    app.extensions["archive_search_analytics"] = None
    if not app.config["ANALYTICS"]:
        return
    index_dir = Path(app.config["INDEX_DIR"]).resolve()
    path = Path(app.config["ANALYTICS_DB"] or default_path(index_dir)).resolve()
    if path == index_dir or index_dir in path.parents:
        from web.settings import SettingsError

        raise SettingsError(
            f"ARCHIVE_SEARCH_ANALYTICS_DB={path} is inside the index folder {index_dir}: "
            "put the search log elsewhere"
        )
    max_bytes = app.config["ANALYTICS_MAX_MB"] << 20
    app.extensions["archive_search_analytics"] = Recorder(
        path, app.config["ANALYTICS_DAYS"], max_bytes
    )


def recorder() -> Recorder | None:
    """The current app's Recorder, or None when analytics is off."""
    return current_app.extensions.get("archive_search_analytics")


def record_search(params: dict[str, Any], answer: dict[str, Any], partial: bool = False) -> None:
    """Log one search (params as for Archive.search, its answer); a no-op when analytics is off.

    The archive's own listing (no query, no filters, no dates) is browsing, not a search.
    """
    target = recorder()
    query = normalize_query(params.get("q"))
    filters = logged_filters(params)
    if target is None or (not query and filters == "{}"):
        return
    target.record(
        (
            int(time.time()),
            query,
            filters,
            int(answer.get("total") or 0),
            float(answer.get("took_ms") or 0.0),
            int(params.get("page") or 1),
            int(bool(partial)),
        )
    )
