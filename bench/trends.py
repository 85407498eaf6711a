"""Trends and timeline speed through `Archive` on the ~50k-article bench index.

    python bench/trends.py [--json OUT] [--calls N]

Reuses bench/search.py's cached index (built once under bench/.cache/) and its
seeded workload: each workload item (a query, maybe a facet filter or a month)
becomes one `Archive.trends` call (facet and window drawn in turn; half of them
without the query, as the search page's block and /trends ask; half of the rest
ending at a month of the archive via `to`, since the archive's last months hold
only a few articles) and one `Archive.timeline` call (month or year).
Prints p50/p95 per endpoint; the target is p95 <= 50 ms each.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search import build_index, generation, percentile, workload  # noqa: E402
from search import Archive  # noqa: E402
from search.trends import FACETS, INTERVALS  # noqa: E402

DAYS = (7, 30, 90, 365, 3650)
TARGET_P95_MS = 50.0


def calls(archive: Archive, count: int, seed: int = 30) -> list[tuple[str, dict]]:
    """(method, kwargs) pairs: trends and timeline for each seeded workload item."""
    rng = random.Random(seed)
    months = [b["start"][:7] for b in archive.timeline("month")["buckets"] if b["count"]]
    out: list[tuple[str, dict]] = []
    for item in workload(archive, count):
        query = {
            "q": item["q"] if rng.random() < 0.5 else "",
            "filters": item.get("filters"),
            "date_from": item.get("from"),
            "date_to": item.get("to"),
        }
        facet = FACETS[len(out) // 2 % len(FACETS)]
        window = {"days": rng.choice(DAYS), "series": rng.random() < 0.3}
        trend_query = dict(query)
        if not trend_query["date_to"] and rng.random() < 0.5:
            trend_query["date_to"] = rng.choice(months)  # a window inside the archive, not its end
        out.append(("trends", {"facet": facet, **window, **trend_query}))
        out.append(("timeline", {"interval": rng.choice(INTERVALS), **query}))
    return out


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(statistics.median(values), 2),
        "p95": round(percentile(values, 95), 2),
        "max": round(max(values), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "trends.json"))
    parser.add_argument("--calls", type=int, default=300, help="workload items (2 calls each)")
    args = parser.parse_args(argv)
    archive = Archive(build_index(), time_limit=2.0)
    gen = generation(archive)
    planned = calls(archive, args.calls)
    for method, kwargs in planned[:20]:  # warm the posting cache like a running server
        getattr(archive, method)(**kwargs)
    times: dict[str, list[float]] = {"trends": [], "timeline": []}
    rising = windows = 0
    for method, kwargs in planned:
        started = time.perf_counter()
        answer = getattr(archive, method)(**kwargs)
        times[method].append((time.perf_counter() - started) * 1000)
        rising += bool(answer.get("rising"))
        windows += bool(answer.get("window", {}).get("articles"))
    report = {
        "documents": gen.doc_count,
        "calls": len(planned),
        "trends_with_articles_in_window": windows,
        "trends_with_rising_values": rising,
        "trends": summary(times["trends"]),
        "timeline": summary(times["timeline"]),
        "target_p95_ms": TARGET_P95_MS,
    }
    print(
        f"{gen.doc_count:,} articles, {len(planned)} calls; trends: {windows} with articles "
        f"in the window, {rising} with rising values"
    )
    print(f"{'endpoint':>10}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name in ("trends", "timeline"):
        row = report[name]
        print(f"{name:>10}{row['n']:>6}{row['p50']:>10}{row['p95']:>10}{row['max']:>10}")
    ok = all(report[name]["p95"] <= TARGET_P95_MS for name in ("trends", "timeline"))
    print(f"target p95 <= {TARGET_P95_MS:.0f} ms: {'met' if ok else 'MISSED'}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
