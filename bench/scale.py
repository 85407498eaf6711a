"""Capacity figures for docs/SCALE.md: one core's queries per second and a replica's memory,
on the real ~50k-article news index and on a generated 500k-article one.

    python bench/scale.py [--articles 500000] [--queries 300] [--json OUT]

The generated articles follow the news corpora's statistics (GENERATED TEXT:
every figure measured on it says so): body and title lengths drawn from the
corpora's own, words drawn independently from their unigram frequencies
(so Zipf's law holds but phrases are rare), people, organisations, places,
tags and categories from their value frequencies and counts per article,
dates from the corpora's dates. Each index is searched in one process, one
query at a time (bench/search.py's workload), so queries per second per core
is 1000 / mean milliseconds; memory is the process's resident size after
opening the index and running the workload (what one replica worker holds).
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir  # noqa: E402
from bench.search import CORPORA, build_index, run_ours, workload  # noqa: E402
from index.readers import Parsed, read_path  # noqa: E402
from index.records import article_from_dict  # noqa: E402
from index.writer import ingest  # noqa: E402
from search import Archive  # noqa: E402
from search.schema import ENTITY_FIELDS  # noqa: E402

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+")
PARAGRAPH_WORDS = 70


class Sampler:
    """Draws from an empirical distribution of values (inverse CDF over counts)."""

    def __init__(self, counts: Counter):
        self.values = list(counts)
        weights = np.array([counts[v] for v in self.values], dtype=np.float64)
        self.cdf = np.cumsum(weights / weights.sum())

    def draw(self, rng: np.random.Generator, n: int) -> list:
        picks = np.searchsorted(self.cdf, rng.random(n), side="right")
        return [self.values[min(i, len(self.values) - 1)] for i in picks]


def corpus_model() -> dict[str, Sampler]:
    """Word, length, entity, tag, category and date statistics of the news corpora."""
    counts: dict[str, Counter] = {
        key: Counter() for key in ("body", "title", "body_len", "title_len", "date", "category",
                                   "tag", "tags_n", *ENTITY_FIELDS,
                                   *(f"{k}_n" for k in ENTITY_FIELDS))
    }  # fmt: skip
    for name in CORPORA:
        for item in read_path(str(corpora_dir() / f"{name}.jsonl.gz")):
            if not isinstance(item, Parsed):
                continue
            article = item.article
            body, title = WORD.findall(article.body or ""), WORD.findall(article.title or "")
            counts["body"].update(body)
            counts["title"].update(title)
            counts["body_len"][len(body)] += 1
            counts["title_len"][len(title)] += 1
            counts["date"][article.date.isoformat() if article.date else None] += 1
            counts["category"][article.category] += 1
            counts["tags_n"][len(article.tags)] += 1
            counts["tag"].update(article.tags)
            for kind in ENTITY_FIELDS:
                values = article.entities.get(kind) or []
                counts[f"{kind}_n"][len(values)] += 1
                counts[kind].update(values)
    return {key: Sampler(c) for key, c in counts.items() if c}


def generated(model: dict[str, Sampler], count: int, seed: int = 500) -> Iterator[Parsed]:
    rng = np.random.default_rng(seed)
    for number in range(count):
        words = model["body"].draw(rng, max(1, model["body_len"].draw(rng, 1)[0]))
        paragraphs = [
            " ".join(words[i : i + PARAGRAPH_WORDS]) for i in range(0, len(words), PARAGRAPH_WORDS)
        ]
        title = " ".join(model["title"].draw(rng, max(1, model["title_len"].draw(rng, 1)[0])))
        entities = {}
        for kind in ENTITY_FIELDS:
            n = model[f"{kind}_n"].draw(rng, 1)[0]
            entities[kind] = sorted(set(model[kind].draw(rng, n))) if n and kind in model else []
        n_tags = model["tags_n"].draw(rng, 1)[0]
        record = {
            "id": f"generated-{number}",
            "title": title,
            "body": "\n\n".join(paragraphs),
            "date": model["date"].draw(rng, 1)[0],
            "category": model["category"].draw(rng, 1)[0],
            "tags": sorted(set(model["tag"].draw(rng, n_tags))) if n_tags else [],
            "entities": entities,
            "source": "generated",
        }
        yield Parsed(f"generated:{number}", article_from_dict(record))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(index: Path, queries: int) -> dict:
    """One process, one query at a time: latency, queries per second per core, memory."""
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    archive = Archive(index)
    documents = archive.health()["documents"]
    opened = time.perf_counter() - started
    items = workload(archive, queries)
    for item in items[:20]:
        run_ours(archive, item)  # warm the posting cache a little, as a serving replica is
    cpu_started = time.process_time()
    times = [run_ours(archive, item)[0] for item in items]
    cpu = time.process_time() - cpu_started
    size = sum(f.stat().st_size for f in index.iterdir() if f.is_file())
    return {
        "documents": documents,
        "index_mb": round(size / 1e6, 1),
        "open_s": round(opened, 2),
        "queries": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))], 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "qps_per_core_wall": round(1000 / statistics.fmean(times), 1),
        "qps_per_core_cpu": round(len(times) / cpu, 1) if cpu else None,
        "rss_added_mb": round(rss_mb() - before, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "scale.json"))
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure the generated index as far as it is built (its committed batches)",
    )
    args = parser.parse_args(argv)
    results = {"news_50k": measure(build_index(), args.queries)}
    print(f"real news index: {results['news_50k']}", flush=True)
    target = ROOT / "bench" / ".cache" / f"generated-{args.articles}"
    if not (target / "done").exists() and not args.measure_only:
        print(f"modelling the corpora, then generating {args.articles:,} articles ...", flush=True)
        model = corpus_model()
        started = time.perf_counter()
        report = ingest(target, generated(model, args.articles), extract=False)
        assert report.ok, report.failed[:3]
        (target / "done").write_text(f"{time.perf_counter() - started:.0f} s\n")
    results["generated"] = measure(target, args.queries)
    results["generated"]["note"] = "GENERATED TEXT following the news corpora's statistics"
    print(f"generated index (generated text): {results['generated']}", flush=True)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
