"""Reading search logs: top queries, top queries with no results, top filters, searches per day.

One report may read several logs (each server keeps its own): they are
attached read-only to one in-memory SQLite connection and read as one table,
so counts across servers are exact. Only first pages count as searches; the
admin page, its JSON and `archive-search analytics` all print `report()`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

MAX_LOGS = 10  # SQLite attaches at most ten databases to one connection
MAX_DAYS = 3650
MAX_LIMIT = 100


class LogError(ValueError):
    """A log cannot be read; the message names the file."""


def _attach(paths: Sequence[Path]) -> sqlite3.Connection:
    if len(paths) > MAX_LOGS:
        raise LogError(f"at most {MAX_LOGS} logs at once (got {len(paths)})")
    conn = sqlite3.connect("file::memory:", uri=True)
    parts = []
    try:
        for i, path in enumerate(paths):
            uri = Path(path).resolve().as_uri() + "?mode=ro"
            try:
                conn.execute(f"ATTACH DATABASE ? AS log{i}", (uri,))
                conn.execute(f"SELECT at, query FROM log{i}.searches LIMIT 0")
            except sqlite3.Error as exc:
                raise LogError(f"{path}: not a search log ({exc})") from None
            parts.append(
                f"SELECT at, query, filters, results, page FROM log{i}.searches WHERE page = 1"
            )
        union = " UNION ALL ".join(parts) or (
            "SELECT 0 AS at, '' AS query, '{}' AS filters, 0 AS results, 1 AS page WHERE 0"
        )
        conn.execute(f"CREATE TEMP VIEW searches AS {union}")
    except BaseException:
        conn.close()
        raise
    return conn


def _day(seconds: float) -> date:
    return datetime.fromtimestamp(seconds, tz=UTC).date()


def report(
    paths: Sequence[Path], days: int = 30, limit: int = 20, now: float | None = None
) -> dict[str, Any]:
    """The last `days` days (UTC, today included) of the given logs; missing files count as
    empty (a server that has logged nothing yet)."""
    now = time.time() if now is None else now
    last = _day(now)
    first = last - timedelta(days=days - 1)
    since = int(datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp())
    existing = [Path(p) for p in paths if Path(p).is_file()]
    conn = _attach(existing)
    try:
        window = "FROM searches WHERE at >= :since"
        args = {"since": since, "limit": limit}

        def rows(sql: str) -> list[tuple]:
            return conn.execute(sql, args).fetchall()

        searches, zero = rows(f"SELECT count(*), coalesce(sum(results = 0), 0) {window}")[0]
        top = rows(
            f"SELECT query, count(*), max(results) {window} AND query != '' "
            "GROUP BY query ORDER BY count(*) DESC, query LIMIT :limit"
        )
        empty = rows(
            f"SELECT query, count(*) {window} AND query != '' AND results = 0 "
            "GROUP BY query ORDER BY count(*) DESC, query LIMIT :limit"
        )
        filters = rows(
            "SELECT f.key, v.value, count(*) FROM searches, json_each(searches.filters) AS f, "
            "json_each(f.value) AS v WHERE at >= :since "
            "GROUP BY f.key, v.value ORDER BY count(*) DESC, f.key, v.value LIMIT :limit"
        )
        per_day = dict(rows(f"SELECT date(at, 'unixepoch'), count(*) {window} GROUP BY 1"))
    finally:
        conn.close()
    return {
        "days": days,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "logs": len(existing),
        "searches": searches,
        "zero_result_searches": zero,
        "top_queries": [{"query": q, "count": n, "results": r} for q, n, r in top],
        "zero_result_queries": [{"query": q, "count": n} for q, n in empty],
        "top_filters": [{"filter": k, "value": v, "count": n} for k, v, n in filters],
        "per_day": [
            {"day": d.isoformat(), "count": per_day.get(d.isoformat(), 0)}
            for d in (first + timedelta(days=i) for i in range(days))
        ],
    }
