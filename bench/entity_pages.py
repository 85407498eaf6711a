"""Entity page speed on the ~50k-article bench index built WITH entity extraction.

    python bench/entity_pages.py [--json OUT] [--calls N]

Reuses bench/search.py's corpus loading and index build (`build_index(extract=True)`,
cached under bench/.cache/; the first build takes minutes). The workload is drawn
from the index's own values (seeded): the five most frequent of each kind (the
heaviest pages), half of the rest weighted by article count (what readers visit)
and half uniform over values in at least two articles. Each value is timed three
ways: `Archive.entity` (the numbers), `GET /api/entities/<kind>/<value>` and the
HTML page through Flask's test client (what a reader waits for, less the network),
against the same run's baseline: the search filtered on that value
(`Archive.search(filters=...)`). Target: p95 <= 50 ms for the API and the page.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.search import build_index, percentile  # noqa: E402
from search import Archive  # noqa: E402
from search.entities import KINDS, document_counts  # noqa: E402
from web import create_app  # noqa: E402
from web.entity_pages import PAGE_SEGMENTS  # noqa: E402

TARGET_P95_MS = 50.0
TOP = 5


def workload(archive: Archive, count: int, seed: int = 15) -> list[tuple[str, str]]:
    """(kind, canonical value) pairs: the heaviest values, then frequency-weighted and uniform."""
    rng = random.Random(seed)
    gen = archive._current()
    out: list[tuple[str, str]] = []
    pools = {}
    for kind in KINDS:
        counts = document_counts(gen, kind)
        display = gen.facets[kind].display
        order = np.argsort(-counts, kind="stable")
        out += [(kind, display[int(o)]) for o in order[:TOP] if counts[o]]
        usable = np.flatnonzero(counts >= 2)
        pools[kind] = (display, usable, counts[usable] / counts[usable].sum())
    np_rng = np.random.default_rng(seed)
    while len(out) < count:
        kind = rng.choice(KINDS)
        display, usable, weights = pools[kind]
        weighted = len(out) % 2 == 0
        ordinal = np_rng.choice(usable, p=weights) if weighted else rng.choice(list(usable))
        out.append((kind, display[int(ordinal)]))
    return out


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(statistics.median(values), 2),
        "p95": round(percentile(values, 95), 2),
        "max": round(max(values), 2),
    }


def timed(call, *args, **kwargs) -> float:
    started = time.perf_counter()
    call(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "entity_pages.json"))
    parser.add_argument("--calls", type=int, default=300, help="entity values to time")
    args = parser.parse_args(argv)
    path = build_index(extract=True)
    archive = Archive(path, time_limit=2.0)
    gen = archive._current()
    app = create_app({"INDEX_DIR": path, "ARCHIVE": archive, "RATE_LIMIT": "off"})
    client = app.test_client()
    planned = workload(archive, args.calls)

    def api(kind: str, value: str) -> None:
        response = client.get(f"/api/entities/{kind}/{quote(value, safe='')}")
        assert response.status_code == 200, (kind, value, response.status_code)

    def page(kind: str, value: str) -> None:
        response = client.get(f"/{PAGE_SEGMENTS[kind]}/{quote(value, safe='')}")
        assert response.status_code == 200, (kind, value, response.status_code)

    for kind, value in planned[:20]:  # warm the posting cache like a running server
        archive.entity(kind, value)
        page(kind, value)
    times: dict[str, list[float]] = {"search": [], "entity": [], "api": [], "page": []}
    articles = []
    for kind, value in planned:
        times["search"].append(timed(archive.search, filters={kind: [value]}))
        times["entity"].append(timed(archive.entity, kind, value))
        times["api"].append(timed(api, kind, value))
        times["page"].append(timed(page, kind, value))
        articles.append(archive.entity(kind, value)["articles"])
    report = {
        "documents": gen.doc_count,
        "values": {kind: len(gen.facets[kind].values) for kind in KINDS},
        "calls": len(planned),
        "articles_per_entity": {"median": statistics.median(articles), "max": max(articles)},
        **{name: summary(values) for name, values in times.items()},
        "target_p95_ms": TARGET_P95_MS,
    }
    report["page_p95_vs_search_p95"] = round(report["page"]["p95"] / report["search"]["p95"], 2)
    print(
        f"{gen.doc_count:,} articles with extraction ({report['values']}); {len(planned)} "
        f"entities, median {report['articles_per_entity']['median']} articles, "
        f"max {report['articles_per_entity']['max']:,}"
    )
    print(f"{'what':>8}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name in times:
        row = report[name]
        print(f"{name:>8}{row['n']:>6}{row['p50']:>10}{row['p95']:>10}{row['max']:>10}")
    print(f"page p95 / filtered-search p95 (same run): {report['page_p95_vs_search_p95']}")
    ok = all(report[name]["p95"] <= TARGET_P95_MS for name in ("api", "page"))
    print(f"target p95 <= {TARGET_P95_MS:.0f} ms (api, page): {'met' if ok else 'MISSED'}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
