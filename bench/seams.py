"""Whoosh's public reader API against the private paths of search/codec.py, per segment.

    python bench/seams.py [--json OUT] [--repeat N]

search/codec.py is the read side's one seam to Whoosh internals; it uses the
public API wherever that is as fast. This measures each choice on the BBC set
(2,225 articles, some deleted so deletions are real): the lexicon walk
(`items_from` on the terms file vs the public `iter_field`), the deleted
documents (`_perdoc.deleted_docs()` vs the public `deleted_docs_set`), a
fixed-width column (its raw bytes vs the public column reader, value by value)
and a term's info (the terms file vs the public `term_info`). Prints the median
of N rounds of each and the public/private ratio, and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from itertools import takewhile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.readers import read_path  # noqa: E402
from index.writer import delete, ingest  # noqa: E402
from search import codec  # noqa: E402
from search.storage import open_index  # noqa: E402


def corpus() -> Path:
    given = os.environ.get("ARCHIVE_SEARCH_CORPORA")
    return Path(given or ROOT.parent / "shared" / "corpora") / "bbc.jsonl.gz"


def timed(fn, repeat: int) -> float:
    """Median milliseconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def in_body(item: tuple) -> bool:
    return item[0][0] == "body"


def pairs(leaf, terms: list[bytes]) -> dict[str, tuple]:
    """name -> (private way, public way), each a no-argument callable."""
    date_column = leaf.schema["date"].column_type
    return {
        "lexicon walk (body)": (
            lambda: sum(1 for _ in takewhile(in_body, leaf._terms.items_from("body", b""))),
            lambda: sum(1 for _ in leaf.iter_field("body")),
        ),
        "deleted documents": (
            lambda: list(leaf._perdoc.deleted_docs()),
            lambda: list(leaf.__class__.deleted_docs_set.func(leaf)),
        ),
        "date column": (
            lambda: codec.column_bytes(leaf, "date", date_column),
            lambda: list(leaf.column_reader("date", translate=False)),
        ),
        "term info x1000": (
            lambda: [leaf._terms.term_info("body", t) for t in terms],
            lambda: [leaf.term_info("body", t) for t in terms],
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "seams.json"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        ingest(tmp, read_path(str(corpus())), extract=False)
        ix = open_index(tmp)
        with ix.searcher() as searcher:
            ids = [searcher.stored_fields(d)["id"] for d in range(0, 200, 2)]
        delete(tmp, ids)
        ix = open_index(tmp)
        with ix.searcher() as searcher:
            leaf = max(searcher.reader().leaf_readers(), key=lambda p: p[0].doc_count_all())[0]
            terms = [t.encode() for t, _ in codec.field_terms(leaf, "body")][:1000]
            for name, (private, public) in pairs(leaf, terms).items():
                ours, stock = timed(private, args.repeat), timed(public, args.repeat)
                results[name] = {
                    "private_ms": round(ours, 3),
                    "public_ms": round(stock, 3),
                    "ratio": round(stock / ours, 2),
                }
                ratio = stock / ours
                print(f"{name:24} private {ours:8.3f} ms  public {stock:8.3f} ms  x{ratio:.2f}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"repeat": args.repeat, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
