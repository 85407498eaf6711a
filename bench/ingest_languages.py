"""Ingest throughput of Russian articles beside English ones, with entity extraction.

    python bench/ingest_languages.py [--json OUT] [--copies N] [--workers N] [--repeat N]

Russian: the 122 factRuEval-2016 texts (news, about 2.8 kB each), repeated
--copies times with distinct ids and dates, `language` "ru", so extraction
runs natasha's NER and the Russian dictionary forms. English: the BBC set
(2,225 news articles, about 2.3 kB each), extraction by the CRF tagger. For
each language, in the same run: the plain Whoosh loop of bench/ingest.py (the
reference), `ingest` without extraction, `ingest` with it, on all cores
(--workers). Each run starts from a compressed JSONL file and ends with the
index committed. The machine is shared: CPU seconds per article are steadier
than wall time, and `cores x articles per CPU second` is what an idle machine
would reach; the target is 50 Russian articles/s with extraction on 2 cores.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir  # noqa: E402
from bench.ingest import plain_loop, raw_text_bytes, run  # noqa: E402
from eval.factrueval import TEXTS, read_factrueval  # noqa: E402
from index.readers import read_path  # noqa: E402
from index.writer import ingest  # noqa: E402

RUSSIAN_TARGET = 50.0  # articles/s with extraction on 2 cores (issue 18)


def russian_rows(copies: int) -> list[dict]:
    """The factRuEval texts, `copies` times, with distinct ids and dates."""
    texts = read_factrueval(corpora_dir() / "factrueval-dev")
    if len(texts) != TEXTS:
        raise SystemExit(f"read {len(texts)} factRuEval texts, not {TEXTS}")
    start = datetime(2016, 1, 1)
    return [
        {
            "id": f"ru-{copy}-{text.name}",
            "title": text.title,
            "body": text.body,
            "date": (start + timedelta(days=copy)).isoformat(),
            "language": "ru",
        }
        for copy in range(copies)
        for text in texts
    ]


def write_jsonl(rows: list[dict], path: Path) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def language_runs(name: str, path: Path, workers: int | None) -> dict:
    """The plain loop, ingest without and with extraction, on one JSONL file."""
    articles, raw = raw_text_bytes(path, 0)
    print(f"\n{name}: {articles} articles, {raw / 1e6:.1f} MB raw text (title + body)")

    def ours(extract: bool):
        def job(folder: Path) -> dict:
            report = ingest(folder, read_path(str(path)), extract=extract, workers=workers)
            if report.failed or report.added != articles:
                raise SystemExit(f"{name} ingest went wrong: {report.summary()}")
            return {"report": report.summary()}

        return job

    result = {
        "articles": articles,
        "raw_text_bytes": raw,
        "plain_loop": run(
            "plain Whoosh loop", lambda f: plain_loop(path, f, 0) and None, raw, articles
        ),
        "ours": run("ingest extract=False", ours(False), raw, articles),
        "ours_extract": run("ingest extract=True", ours(True), raw, articles),
    }
    for key in ("ours", "ours_extract"):
        result[key]["vs_plain_loop"] = round(
            result[key]["articles_per_s"] / result["plain_loop"]["articles_per_s"], 2
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "ingest_languages.json"))
    parser.add_argument("--copies", type=int, default=20, help="factRuEval repeats (20: 2,440)")
    parser.add_argument("--workers", type=int, default=None, help="default: os.cpu_count()")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds (default 1)")
    args = parser.parse_args(argv)
    cores = args.workers or os.cpu_count() or 1

    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench-languages-") as tmp:
        russian = write_jsonl(russian_rows(args.copies), Path(tmp) / "factrueval.jsonl.gz")
        english = corpora_dir() / "bbc.jsonl.gz"
        for number in range(1, args.repeat + 1):
            if args.repeat > 1:
                print(f"\nround {number} of {args.repeat}")
            rounds.append(
                {
                    "ru": language_runs("Russian (factRuEval x copies)", russian, args.workers),
                    "en": language_runs("English (BBC)", english, args.workers),
                }
            )
    summary = {}
    for lang in ("ru", "en"):
        runs = [r[lang]["ours_extract"] for r in rounds]
        summary[lang] = {
            "articles_per_s": statistics.median(r["articles_per_s"] for r in runs),
            "articles_per_cpu_s": statistics.median(r["articles_per_cpu_s"] for r in runs),
            "idle_estimate_per_s": round(
                cores * statistics.median(r["articles_per_cpu_s"] for r in runs), 1
            ),
            "vs_plain_loop": statistics.median(r["vs_plain_loop"] for r in runs),
        }
    print("\nwith extraction (median over rounds):")
    for lang, s in summary.items():
        print(
            f"  {lang}: {s['articles_per_s']:.1f} articles/s measured, "
            f"{s['articles_per_cpu_s']:.1f} per CPU second = {s['idle_estimate_per_s']:.1f}/s "
            f"on {cores} idle cores; {s['vs_plain_loop']:.2f}x the plain loop"
        )
    ru = summary["ru"]
    print(
        f"  Russian target {RUSSIAN_TARGET:.0f}/s: measured "
        f"{'met' if ru['articles_per_s'] >= RUSSIAN_TARGET else 'not met'}, idle estimate "
        f"{'met' if ru['idle_estimate_per_s'] >= RUSSIAN_TARGET else 'not met'}"
    )
    out = {
        "copies": args.copies,
        "workers": cores,
        "target_ru_articles_per_s": RUSSIAN_TARGET,
        "summary": summary,
        "rounds": rounds,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
