"""More-like-this quality and speed: precision@5 of same-category neighbours on BBC.

    python eval/similar.py [--json OUT] [--limit N]

Builds a temporary index of the BBC set (2,225 articles, 5 categories, no
entity extraction), then for every article asks for its five most similar
articles with ours (`search.similar.similar_docnums`) and with Whoosh's stock
`searcher.more_like(docnum, "body", text=body)` in the same run. Precision@5
is the share of those five that are in the article's own category, averaged
over all articles; latency is per call, for ours both with its per-reader
cache of decoded postings emptied before every call (cold) and kept (warm).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir  # noqa: E402
from index.readers import read_path  # noqa: E402
from index.writer import ingest  # noqa: E402
from search.generation import Generation  # noqa: E402
from search.postings import PostingCache  # noqa: E402
from search.schema import unpack_record  # noqa: E402
from search.similar import similar_docnums  # noqa: E402
from search.storage import open_index  # noqa: E402

K = 5


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _measure(name: str, docnums: list[int], categories: list[str], neighbours, before=None):
    """Precision@K and latency of one method over every article."""
    hits, timings = 0.0, []
    for docnum in docnums:
        if before:
            before()
        started = time.perf_counter()
        found = neighbours(docnum)
        timings.append((time.perf_counter() - started) * 1000)
        same = sum(categories[other] == categories[docnum] for other in found[:K])
        hits += same / K
    return {
        "method": name,
        "precision_at_5": round(hits / len(docnums), 4),
        "p50_ms": round(statistics.median(timings), 3),
        "p95_ms": round(_percentile(timings, 0.95), 3),
    }


def evaluate(corpus: Path, limit: int | None = None) -> dict:
    """Index the corpus in a temporary folder and score both methods on it."""
    with tempfile.TemporaryDirectory(prefix="archive-search-similar-") as tmp:
        started = time.perf_counter()
        report = ingest(tmp, read_path(str(corpus)), extract=False)
        build_seconds = time.perf_counter() - started
        ix = open_index(tmp)
        with ix.searcher() as searcher:
            count = searcher.doc_count_all()
            records = [unpack_record(searcher.stored_fields(d)["record"]) for d in range(count)]
            categories = [r.get("category") for r in records]
            docnums = list(range(count))[:limit]

            gen = Generation(searcher)

            def ours(docnum: int) -> list[int]:
                return [d for d, _ in similar_docnums(gen, docnum, limit=K)]

            def stock(docnum: int) -> list[int]:
                hits = searcher.more_like(docnum, "body", text=records[docnum]["body"], top=K)
                return [hit.docnum for hit in hits]

            results = [
                _measure(
                    "ours, cold (no cached postings)",
                    docnums,
                    categories,
                    ours,
                    before=lambda: setattr(gen, "postings", PostingCache(gen.leaves)),
                ),
                _measure("ours, postings LRU warm", docnums, categories, ours),
                _measure("whoosh more_like (body)", docnums, categories, stock),
            ]
        ix.close()
    return {
        "data": str(corpus),
        "articles": count,
        "evaluated": len(docnums),
        "index_build_seconds": round(build_seconds, 2),
        "ingest": report.summary(),
        "k": K,
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", default=str(ROOT / "eval" / "results" / "similar.json"))
    parser.add_argument("--limit", type=int, default=None, help="evaluate the first N articles")
    args = parser.parse_args(argv)

    corpus = corpora_dir() / "bbc.jsonl.gz"
    report = evaluate(corpus, args.limit)
    print(f"BBC, {report['evaluated']:,} of {report['articles']:,} articles, precision@{K}")
    print(f"{'method':34} {'P@5':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for row in report["results"]:
        print(
            f"{row['method']:34} {row['precision_at_5']:7.4f} "
            f"{row['p50_ms']:8.2f} {row['p95_ms']:8.2f}"
        )
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nresults -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
