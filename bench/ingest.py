"""Ingest throughput over all of Reuters-21578, against a plain Whoosh loop in the same run.

    python bench/ingest.py [--json OUT] [--repeat N] [--limit N] [--skip-extract] [--workers N]

Runs, one after the other on the same data: the plain loop (one `add_document`
per article into a schema storing title and body with positions and character
offsets, StemmingAnalyzer, one commit), then `index.writer.ingest` without
entity extraction, then with it. Each run starts from the compressed JSONL
file and ends when the index is committed, into a fresh temporary folder.
The machine is shared, so compare the ratios, not the absolute times: with
--repeat N the three runs are repeated N times, interleaved, and the JSON keeps
every round plus the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh.analysis import StemmingAnalyzer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402

from bench.corpora import corpora_dir  # noqa: E402
from index.readers import read_path  # noqa: E402
from index.writer import ingest  # noqa: E402

CORPUS = "reuters21578.jsonl.gz"


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def raw_text_bytes(path: Path, limit: int) -> tuple[int, int]:
    """(articles, bytes of title + body as UTF-8)."""
    count = size = 0
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in islice(handle, limit or None):
            record = json.loads(line)
            count += 1
            size += len((record.get("title") or "").encode()) + len(
                (record.get("body") or "").encode()
            )
    return count, size


def plain_loop(path: Path, folder: Path, limit: int) -> int:
    """The reference: stock Whoosh, one add_document per article, one commit."""
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, phrase=True, chars=True, analyzer=StemmingAnalyzer()),
        body=TEXT(stored=True, phrase=True, chars=True, analyzer=StemmingAnalyzer()),
    )
    ix = whoosh_index.create_in(str(folder), schema)
    writer = ix.writer()
    count = 0
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in islice(handle, limit or None):
            record = json.loads(line)
            writer.add_document(
                id=str(record["id"]), title=record.get("title") or "", body=record.get("body") or ""
            )
            count += 1
    writer.commit()
    return count


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its children that have ended."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def segment_count(folder: Path) -> int:
    ix = whoosh_index.open_dir(str(folder))
    try:
        return len(ix._segments())
    finally:
        ix.close()


def run(name: str, job, raw: int, articles: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-ingest-{name}-"))
    try:
        cpu_before = cpu_seconds()
        started = time.perf_counter()
        extra = job(folder) or {}
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
        size = folder_bytes(folder)
        result = {
            "seconds": round(elapsed, 2),
            "articles_per_s": round(articles / elapsed, 1),
            # CPU time of this process and its (finished) workers: far less noisy
            # than wall time on a shared machine; articles per CPU second.
            "cpu_s": round(cpu, 2),
            "articles_per_cpu_s": round(articles / cpu, 1),
            "index_bytes": size,
            "size_ratio": round(size / raw, 2),
            "segments": segment_count(folder),
            **extra,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"{name:>22}: {result['articles_per_s']:8.1f} articles/s  {result['seconds']:6.1f} s  "
        f"index {size / 1e6:6.1f} MB = {result['size_ratio']:.2f}x raw  "
        f"segments {result['segments']}  "
        f"cpu {cpu:5.1f} s ({result['articles_per_cpu_s']:.0f}/cpu s)",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "ingest.json"))
    parser.add_argument("--limit", type=int, default=0, help="first N articles only")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds (default 1)")
    parser.add_argument("--workers", type=int, default=None, help="default: os.cpu_count()")
    parser.add_argument("--skip-extract", action="store_true", help="leave out extract=True")
    parser.add_argument("--skip-baseline", action="store_true", help="leave out the plain loop")
    args = parser.parse_args(argv)

    path = corpora_dir() / CORPUS
    articles, raw = raw_text_bytes(path, args.limit)
    print(f"{CORPUS}: {articles} articles, {raw / 1e6:.1f} MB raw text (title + body)")

    def ours(extract: bool):
        def job(folder: Path) -> dict:
            items = read_path(str(path))
            if args.limit:
                items = islice(items, args.limit)
            report = ingest(folder, items, extract=extract, workers=args.workers)
            if report.failed or report.added != articles:
                raise SystemExit(f"ingest went wrong: {report.summary()}")
            return {"report": report.summary()}

        return job

    jobs = {}
    if not args.skip_baseline:
        jobs["plain_loop"] = (
            "plain Whoosh loop",
            lambda f: plain_loop(path, f, args.limit) and None,
        )
    jobs["ours"] = ("ingest extract=False", ours(False))
    if not args.skip_extract:
        jobs["ours_extract"] = ("ingest extract=True", ours(True))
    rounds: list[dict] = []
    for number in range(1, args.repeat + 1):
        if args.repeat > 1:
            print(f"round {number} of {args.repeat}")
        result = {key: run(label, job, raw, articles) for key, (label, job) in jobs.items()}
        base = result.get("plain_loop")
        for key in ("ours", "ours_extract"):
            if base and key in result:
                ratio = result[key]["articles_per_s"] / base["articles_per_s"]
                result[key]["vs_plain_loop"] = round(ratio, 2)
                cpu_ratio = base["cpu_s"] / result[key]["cpu_s"]
                result[key]["cpu_vs_plain_loop"] = round(cpu_ratio, 2)
                print(
                    f"{key}: {ratio:.2f}x the plain loop's articles/s (same round); "
                    f"{cpu_ratio:.2f}x fewer CPU seconds"
                )
        rounds.append(result)
    summary = {}
    for key in jobs:
        runs = [r[key] for r in rounds]
        summary[key] = {
            "articles_per_s": round(statistics.median(r["articles_per_s"] for r in runs), 1),
            "size_ratio": runs[-1]["size_ratio"],
            "segments": runs[-1]["segments"],
        }
        for ratio in ("vs_plain_loop", "cpu_vs_plain_loop"):
            if ratio in runs[0]:
                summary[key][ratio] = statistics.median(r[ratio] for r in runs)
    if args.repeat > 1:
        print("median over rounds:", json.dumps(summary))

    out = {
        "corpus": CORPUS,
        "articles": articles,
        "raw_text_bytes": raw,
        "workers": args.workers or os.cpu_count(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "summary": summary,
        "rounds": rounds,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
