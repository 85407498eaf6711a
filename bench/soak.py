"""`make soak`: a bounded load test of `archive-search serve` on 127.0.0.1 with wrk.

Serves the ~50k-article bench index (bench/search.py builds and caches it)
with 2 gunicorn workers and the rate limit off, then runs a mixed workload
(searches with and without filters, pages, articles, similar, suggestions,
trends, timelines) for 60 s at 50 connections and 60 s at 10. Prints
requests/s, p50/p95/p99 latency and errors, and writes JSON.

Then the cost of the search log: the same workload at 50 connections on a server with
ARCHIVE_SEARCH_ANALYTICS=off and one with it on, alternating (off, on, off, on), and the
throughput of "on" as a share of "off" (the target: at least 95%).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.search import build_index, workload  # noqa: E402
from bench.serving import running_server  # noqa: E402
from search import Archive  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LEVELS = ((50, 60), (10, 60))  # (connections, seconds)

WRK_SCRIPT = """
local paths = {}
local counter = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  counter = math.random(#paths)
end
request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def mixed_paths(archive: Archive, size: int = 2_000, seed: int = 7) -> list[str]:
    """Request paths: 60% API searches, 10% search pages, the rest other endpoints."""
    rng = random.Random(seed)
    searches = workload(archive, 500)
    ids = [hit["id"] for hit in archive.search("", per_page=100)["results"]]
    ids += [hit["id"] for item in searches[:50] for hit in archive.search(item["q"])["results"]]
    prefixes = ["lu", "mins", "reu", "oil", "pre", "ba", "chin", "eu", "tr", "gold"]
    paths = []
    for _ in range(size):
        roll = rng.random()
        item = rng.choice(searches)
        params: list[tuple[str, str]] = [("q", item["q"])] if item["q"] else []
        for name, values in (item.get("filters") or {}).items():
            params += [(name, value) for value in values]
        params += [(key, item[key]) for key in ("from", "to") if item.get(key)]
        if roll < 0.6:
            paths.append("/api/search?" + urllib.parse.urlencode(params))
        elif roll < 0.7:
            paths.append("/?" + urllib.parse.urlencode(params))
        elif roll < 0.8:
            paths.append(f"/api/articles/{urllib.parse.quote(rng.choice(ids))}")
        elif roll < 0.85:
            paths.append(f"/api/articles/{urllib.parse.quote(rng.choice(ids))}/similar")
        elif roll < 0.93:
            paths.append("/api/suggest?q=" + rng.choice(prefixes))
        elif roll < 0.97:
            kind = rng.choice(["person", "place", "organization", "tag"])
            paths.append(f"/api/trends?facet={kind}&days={rng.choice([30, 90, 365])}")
        else:
            interval = rng.choice(["month", "year"])
            paths.append(f"/api/timeline?interval={interval}&" + urllib.parse.urlencode(params))
    return paths


def run_wrk(
    base: str, script: Path, paths_file: Path, connections: int, seconds: int, timeout: int = 5
) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{timeout}s",
               "-s", str(script), base, "--", str(paths_file)]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["requests_per_s"] = round(result["requests"] / result["seconds"], 1)
    result["connections"] = connections
    return result


def analytics_cost(index: Path, script: Path, paths_file: Path, tmp: Path, seconds: int) -> dict:
    """Throughput with the search log off and on, alternating on fresh servers."""
    totals = {"off": [0, 0.0], "on": [0, 0.0]}
    runs = []
    for mode in ("off", "on", "off", "on"):
        env = {"ARCHIVE_SEARCH_ANALYTICS": mode,
               "ARCHIVE_SEARCH_ANALYTICS_DB": str(tmp / "analytics.sqlite")}  # fmt: skip
        with running_server(index, tmp / f"serve-{mode}.log", workers=2, **env) as base:
            run_wrk(base, script, paths_file, 10, 5)  # warm-up
            result = run_wrk(base, script, paths_file, 50, seconds)
        result["analytics"] = mode
        runs.append(result)
        totals[mode][0] += result["requests"]
        totals[mode][1] += result["seconds"]
    rate = {mode: count / elapsed for mode, (count, elapsed) in totals.items()}
    with closing(sqlite3.connect(tmp / "analytics.sqlite")) as conn:
        logged = conn.execute("SELECT count(*) FROM searches").fetchone()[0]
    return {
        "runs": runs,
        "off_requests_per_s": round(rate["off"], 1),
        "on_requests_per_s": round(rate["on"], 1),
        "on_share_of_off": round(rate["on"] / rate["off"], 3),
        "searches_logged": logged,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "soak.json"))
    parser.add_argument("--seconds", type=int, default=60, help="per load level")
    parser.add_argument(
        "--analytics-seconds", type=int, default=30, help="per run of the log's cost; 0 skips it"
    )
    args = parser.parse_args(argv)
    index = build_index()
    paths = mixed_paths(Archive(index))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        script, paths_file = Path(tmp) / "mixed.lua", Path(tmp) / "paths.txt"
        script.write_text(WRK_SCRIPT)
        paths_file.write_text("\n".join(paths) + "\n")
        # Rate limit off (running_server's default), so load is not turned into 429s.
        log = {"ARCHIVE_SEARCH_ANALYTICS_DB": str(Path(tmp) / "levels.sqlite")}
        with running_server(index, Path(tmp) / "serve.log", workers=2, **log) as base:
            run_wrk(base, script, paths_file, 10, 5)  # warm-up: caches, generation arrays
            for connections, _ in LEVELS:
                results.append(run_wrk(base, script, paths_file, connections, args.seconds))
        cost = None
        if args.analytics_seconds:
            cost = analytics_cost(index, script, paths_file, Path(tmp), args.analytics_seconds)
    print("rate limit: off (ARCHIVE_SEARCH_RATE_LIMIT=off); 2 gunicorn workers; wrk -t2")
    print(f"{'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in results:
        errors = sum(r["errors"].values())
        print(f"{r['connections']:>5} {r['requests_per_s']:>8} {r['p50_ms']:>8} "
              f"{r['p95_ms']:>8} {r['p99_ms']:>8} {errors:>7}")  # fmt: skip
    if cost:
        print(f"search log (50 connections, off/on/off/on): off {cost['off_requests_per_s']} "
              f"req/s, on {cost['on_requests_per_s']} req/s = {cost['on_share_of_off']:.1%} "
              f"of off; {cost['searches_logged']:,} searches logged")  # fmt: skip
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    body = {"levels": results, "paths": len(paths), "analytics": cost}
    Path(args.json).write_text(json.dumps(body, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
