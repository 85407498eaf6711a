"""Entity extraction throughput, one process, over all of Reuters-21578.

    python bench/entities.py [--json OUT] [--limit N]

Reads the corpus into memory first, so only extraction (tokenize, features,
tagging, folding, aliases) is timed; the model load is timed separately. Timed
both ways, chunk by chunk: in chunks of 64 articles, as ingest's workers
extract them (`extract_entities_many`; the headline figure), and one article at
a time (`extract_entities`, as a single call would). The two take turns going
first, so each pays for about half of the words seen for the first time.
The values must be the same both ways.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir  # noqa: E402
from index.entities import extract_entities, extract_entities_many  # noqa: E402
from index.entities.tagger import get_tagger  # noqa: E402
from index.segments import CHUNK  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "entities.json"))
    parser.add_argument("--limit", type=int, default=0, help="first N articles only")
    args = parser.parse_args(argv)

    path = corpora_dir() / "reuters21578.jsonl.gz"
    articles = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            articles.append((record.get("title") or "", record.get("body") or ""))
            if args.limit and len(articles) >= args.limit:
                break
    chars = sum(len(t) + len(b) for t, b in articles)

    started = time.perf_counter()
    get_tagger()
    load_s = time.perf_counter() - started

    items = [(title, body, None) for title, body in articles]
    elapsed = alone_s = 0.0
    chunked: list[dict] = []
    alone: list[dict] = []
    for turn, first in enumerate(range(0, len(items), CHUNK)):
        chunk = items[first : first + CHUNK]
        for way in ("chunk", "alone") if turn % 2 == 0 else ("alone", "chunk"):
            started = time.perf_counter()
            if way == "chunk":
                chunked += extract_entities_many(chunk)
                elapsed += time.perf_counter() - started
            else:
                alone += [extract_entities(title, body) for title, body, _ in chunk]
                alone_s += time.perf_counter() - started
    if alone != chunked:
        raise SystemExit("extraction in chunks and one at a time disagree")
    found = sum(len(v) for entities in chunked for v in entities.values())

    result = {
        "corpus": str(path.name),
        "articles": len(articles),
        "characters": chars,
        "seconds": round(elapsed, 2),
        "articles_per_s": round(len(articles) / elapsed, 1),
        "chunk": CHUNK,
        "seconds_one_at_a_time": round(alone_s, 2),
        "articles_per_s_one_at_a_time": round(len(articles) / alone_s, 1),
        "chars_per_s": round(chars / elapsed),
        "entities_found": found,
        "model_load_s": round(load_s, 3),
        "processes": 1,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{result['articles']:,} articles in {result['seconds']} s: "
        f"{result['articles_per_s']:,} articles/s in chunks of {CHUNK} as ingest extracts them, "
        f"{result['articles_per_s_one_at_a_time']:,} one at a time; one process "
        f"(model load {load_s:.2f} s)"
    )
    print(f"results -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
