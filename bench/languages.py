"""What languages cost: detection per article, English ingest with detection on and off,
and search on a mixed English + Russian index against the English-only one, in one run.

    python bench/languages.py [--json OUT] [--articles N] [--repeat R] [--queries Q]

1. Detection alone (`search.languages.article_language`, one process): CPU ms per article
   over the first N Reuters-21578 articles and the 122 Russian texts of factRuEval-2016, and
   over the same with lingua alone (no plain-case shortcut), for comparison.
2. Ingest of the first N Reuters articles with entity extraction, both cores, with their
   `language` field kept (no detection) and removed (detected in the workers), R
   interleaved rounds: articles/s (wall) and articles per CPU second (this process and its
   workers: steadier on a shared machine) of each, and their ratios (target: >= 500/s on).
3. Search: bench/search.py's workload (Q queries drawn from the English index's own
   words, titles and values) on two indexes built here without extraction: N Reuters +
   all BBC + all Wikinews articles, and the same plus the Russian texts. Runs alternate
   between the two, R rounds; p50/p95 per index and their ratio.
The machine is shared: compare the figures of one run with each other, not across runs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir  # noqa: E402
from bench.ingest import cpu_seconds  # noqa: E402
from bench.search import percentile, run_ours, workload  # noqa: E402
from index.readers import Parsed  # noqa: E402
from index.records import article_from_dict  # noqa: E402
from index.writer import ingest  # noqa: E402
from search import Archive  # noqa: E402
from search.languages import DETECTION_CHARS, article_language, detector  # noqa: E402

FACTRUEVAL_TEXTS = 122


def english_rows(name: str, limit: int | None = None) -> list[dict]:
    with gzip.open(corpora_dir() / f"{name}.jsonl.gz", "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in islice(lines, limit)]


def russian_rows() -> list[dict]:
    rows = []
    for path in sorted((corpora_dir() / "factrueval-dev").glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
        rows.append({"id": f"factrueval-{path.stem}", "title": title, "body": body.strip()})
    if len(rows) != FACTRUEVAL_TEXTS:
        raise SystemExit(f"read {len(rows)} factRuEval texts, not {FACTRUEVAL_TEXTS}")
    return rows


def detection_cost(rows: list[dict], detect=article_language) -> float:
    """CPU ms per article of detecting the language the way ingest does."""
    started = time.process_time()
    for row in rows:
        detect(row.get("title") or "", row.get("body") or "")
    return (time.process_time() - started) * 1000 / len(rows)


def lingua_only(title: str, body: str):
    return detector().compute_language_confidence_values(f"{title}\n{body[:DETECTION_CHARS]}")


def parsed(rows: list[dict]) -> list[Parsed]:
    return [Parsed(f"row:{i}", article_from_dict(row)) for i, row in enumerate(rows)]


def timed_ingest(rows: list[dict], extract: bool) -> tuple[float, float]:
    """(articles/s, articles per CPU second) of one ingest into a fresh folder."""
    folder = Path(tempfile.mkdtemp(prefix="bench-languages-"))
    try:
        cpu = cpu_seconds()
        started = time.perf_counter()
        report = ingest(folder / "index", parsed(rows), extract=extract)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds() - cpu
        if not report.ok or report.added != len(rows):
            raise SystemExit(f"ingest failed: {report.summary()}")
        return len(rows) / elapsed, len(rows) / cpu
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def ingest_rates(rows: list[dict], repeat: int) -> dict:
    given = [dict(row, language="en") for row in rows]
    absent = [{k: v for k, v in row.items() if k != "language"} for row in rows]
    rounds = []
    for _ in range(repeat):
        off, off_cpu = timed_ingest(given, extract=True)
        on, on_cpu = timed_ingest(absent, extract=True)
        rounds.append(
            {
                "off": round(off, 1),
                "on": round(on, 1),
                "ratio": round(on / off, 3),
                "off_per_cpu_s": round(off_cpu, 1),
                "on_per_cpu_s": round(on_cpu, 1),
                "cpu_ratio": round(on_cpu / off_cpu, 3),
            }
        )
        print(f"  ingest with extraction: detection off {off:7.1f}/s ({off_cpu:.0f}/cpu s), "
              f"on {on:7.1f}/s ({on_cpu:.0f}/cpu s)", flush=True)  # fmt: skip
    return {
        "articles": len(rows),
        "rounds": rounds,
        **{
            f"median_{key}": statistics.median(r[key] for r in rounds)
            for key in ("on", "off", "ratio", "on_per_cpu_s", "off_per_cpu_s", "cpu_ratio")
        },
    }


def search_speed(english: list[dict], russian: list[dict], queries: int, repeat: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-languages-search-"))
    try:
        archives = {}
        for name, rows in (("english", english), ("mixed", english + russian)):
            report = ingest(folder / name, parsed(rows), extract=False)
            if not report.ok:
                raise SystemExit(f"ingest failed: {report.summary()}")
            archives[name] = Archive(folder / name, time_limit=2.0)
        items = workload(archives["english"], queries)
        times: dict[str, list[float]] = defaultdict(list)
        for _ in range(repeat):
            for item in items:
                for name, archive in archives.items():
                    times[name].append(run_ours(archive, item)[0])
        out = {
            name: {
                "documents": archives[name].health()["documents"],
                "p50": round(statistics.median(ms), 2),
                "p95": round(percentile(ms, 95), 2),
            }
            for name, ms in times.items()
        }
        out["queries"] = len(items)
        out["p50_ratio"] = round(out["mixed"]["p50"] / out["english"]["p50"], 3)
        out["p95_ratio"] = round(out["mixed"]["p95"] / out["english"]["p95"], 3)
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "languages.json"))
    parser.add_argument("--articles", type=int, default=5000, help="Reuters articles (N)")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved rounds (R)")
    parser.add_argument("--queries", type=int, default=300, help="search workload size (Q)")
    args = parser.parse_args(argv)
    reuters = english_rows("reuters21578", args.articles)
    russian = russian_rows()
    article_language("warm up", "")  # the detector is built once per process
    detection = {
        "english_cpu_ms": round(detection_cost(reuters), 3),
        "russian_cpu_ms": round(detection_cost(russian), 3),
        "english_lingua_only_cpu_ms": round(detection_cost(reuters, lingua_only), 3),
        "russian_lingua_only_cpu_ms": round(detection_cost(russian, lingua_only), 3),
    }
    print("detection, CPU ms per article: English {english_cpu_ms}, Russian {russian_cpu_ms} "
          "(lingua alone: {english_lingua_only_cpu_ms}, {russian_lingua_only_cpu_ms})"
          .format(**detection))  # fmt: skip
    rates = ingest_rates(reuters, args.repeat)
    print(f"English ingest with extraction, {rates['articles']} articles: detection off "
          f"{rates['median_off']:.0f}/s, on {rates['median_on']:.0f}/s "
          f"(on/off {rates['median_ratio']:.2f}, per CPU second {rates['median_cpu_ratio']:.2f}; "
          f"target on >= 500/s)")  # fmt: skip
    english = reuters + english_rows("bbc") + english_rows("wikinews-en")
    search = search_speed(english, russian, args.queries, args.repeat)
    print(f"search, {search['queries']} queries x {args.repeat}: English-only "
          f"({search['english']['documents']} articles) p50 {search['english']['p50']} ms "
          f"p95 {search['english']['p95']} ms; mixed (+{len(russian)} Russian) "
          f"p50 {search['mixed']['p50']} ms p95 {search['mixed']['p95']} ms "
          f"(ratio p50 {search['p50_ratio']}, p95 {search['p95_ratio']})")  # fmt: skip
    report = {"detection": detection, "ingest": rates, "search": search}
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
