"""What the search log costs a search, in CPU time, robust to a busy machine.

    python bench/analytics.py [--json OUT] [--queries N] [--rounds N]

`make soak` measures the log's cost as throughput over HTTP, which a machine shared with
other work makes noisy. This runs the same kind of searches (bench/search.py's workload on
the ~50k-article index) through the Flask app in one process, alternating an app with
ARCHIVE_SEARCH_ANALYTICS=off and one with it on, round after round, and compares the
process's CPU time (every thread, so the writer thread's work counts) per search, the log's
writes flushed inside the timed part. Prints the cost and writes JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.search import build_index, workload  # noqa: E402
from search import Archive  # noqa: E402
from web import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def urls(items: list[dict]) -> list[str]:
    out = []
    for item in items:
        params: list[tuple[str, str]] = [("q", item["q"])] if item["q"] else []
        for name, values in (item.get("filters") or {}).items():
            params += [(name, value) for value in values]
        params += [(key, item[key]) for key in ("from", "to") if item.get(key)]
        out.append("/api/search?" + urlencode(params))
    return out


def timed(app, paths: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) for every path, the log flushed before the clock stops."""
    client = app.test_client()
    cpu, wall = time.process_time(), time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):  # the request log lines
        for path in paths:
            client.get(path)
    recorder = app.extensions["archive_search_analytics"]
    if recorder is not None:
        recorder.flush()
    return time.process_time() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "analytics.json"))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    index = build_index()
    paths = urls(workload(Archive(index), args.queries))
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "analytics.sqlite"
        apps = {
            mode: create_app(
                {
                    "INDEX_DIR": index,
                    "RATE_LIMIT": "off",
                    "ANALYTICS": mode,
                    "ANALYTICS_DB": str(log),
                }
            )  # fmt: skip
            for mode in ("off", "on")
        }
        for app in apps.values():
            timed(app, paths[:50])  # warm-up: generation arrays, caches
        cpu: dict[str, list[float]] = {"off": [], "on": []}
        wall: dict[str, list[float]] = {"off": [], "on": []}
        for _ in range(args.rounds):
            for mode, app in apps.items():
                c, w = timed(app, paths)
                cpu[mode].append(c / len(paths) * 1000)
                wall[mode].append(w / len(paths) * 1000)
        with closing(sqlite3.connect(log)) as conn:
            logged = conn.execute("SELECT count(*) FROM searches").fetchone()[0]
    result = {
        "searches_per_round": len(paths),
        "rounds": args.rounds,
        "cpu_ms_per_search": {m: round(statistics.median(v), 3) for m, v in cpu.items()},
        "wall_ms_per_search": {m: round(statistics.median(v), 3) for m, v in wall.items()},
        "searches_logged": logged,
    }
    off, on = result["cpu_ms_per_search"]["off"], result["cpu_ms_per_search"]["on"]
    result["cpu_cost"] = round(on / off - 1, 4)
    print(f"{len(paths)} searches x {args.rounds} rounds, off/on alternating; {logged:,} logged")
    print(f"CPU per search: off {off} ms, on {on} ms: the log costs {result['cpu_cost']:+.1%}")
    w_off, w_on = result["wall_ms_per_search"]["off"], result["wall_ms_per_search"]["on"]
    print(f"wall per search: off {w_off} ms, on {w_on} ms")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
