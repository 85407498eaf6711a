"""Language detection accuracy on the corpora here, their `language` field removed.

    python eval/language.py [--json OUT] [--sample N] [--seed S]

Detects each article's language the way ingest does (`search.languages.article_language`:
the title and the start of the body) and compares it with the truth: the corpus's own
`language` field for the English news sets (a random sample of N articles from each,
default 400), and Russian for every text of factRuEval-2016 (first line the title). Prints
accuracy per language and corpus, what the misses were detected as, and the CPU time per
article; writes the same as JSON.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir  # noqa: E402
from search.languages import article_language  # noqa: E402

NEWS = ("reuters21578", "bbc", "wikinews-en", "20newsgroups", "ag-news-test")
FACTRUEVAL_TEXTS = 122


def news_sample(name: str, size: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(title, body, true language) of `size` random articles with some text."""
    with gzip.open(corpora_dir() / f"{name}.jsonl.gz", "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    rows = [r for r in rows if (r.get("title") or r.get("body"))]
    picked = rng.sample(rows, min(size, len(rows)))
    return [(r.get("title") or "", r.get("body") or "", r.get("language") or "en") for r in picked]


def factrueval() -> list[tuple[str, str, str]]:
    """(title, body, "ru") of every factRuEval text."""
    out = []
    for path in sorted((corpora_dir() / "factrueval-dev").glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
        out.append((title, body.strip(), "ru"))
    if len(out) != FACTRUEVAL_TEXTS:
        raise SystemExit(f"read {len(out)} factRuEval texts, not {FACTRUEVAL_TEXTS}")
    return out


def score(items: list[tuple[str, str, str]]) -> tuple[dict, float]:
    """Accuracy, misses by detected language, and the CPU seconds the detection took."""
    started = time.process_time()
    detected = [article_language(title, body) for title, body, _ in items]
    seconds = time.process_time() - started
    right = sum(d == truth for d, (_, _, truth) in zip(detected, items, strict=True))
    misses = Counter(d for d, (_, _, truth) in zip(detected, items, strict=True) if d != truth)
    row = {
        "articles": len(items),
        "correct": right,
        "accuracy": round(right / len(items), 4) if items else None,
        "detected_instead": dict(misses.most_common()),
    }
    return row, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=str(ROOT / "eval" / "results" / "language.json"))
    parser.add_argument("--sample", type=int, default=400, help="articles per English corpus")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    article_language("warm up", "")  # the detector is built once; not part of the timing
    corpora = {name: news_sample(name, args.sample, rng) for name in NEWS}
    corpora["factrueval-dev"] = factrueval()
    by_corpus, per_language, total_seconds = {}, {}, 0.0
    for name, items in corpora.items():
        row, seconds = score(items)
        total_seconds += seconds
        language = items[0][2]
        row["language"] = language
        by_corpus[name] = row
        merged = per_language.setdefault(language, {"articles": 0, "correct": 0})
        merged["articles"] += row["articles"]
        merged["correct"] += row["correct"]
        print(f"{name:16} {language}  {row['correct']:5}/{row['articles']:<5} "
              f"{row['accuracy']:.2%}  misses: {row['detected_instead'] or '-'}")  # fmt: skip
    articles = sum(len(items) for items in corpora.values())
    for language, merged in per_language.items():
        merged["accuracy"] = round(merged["correct"] / merged["articles"], 4)
        print(f"{language}: {merged['accuracy']:.2%} of {merged['articles']} articles")
    ms = total_seconds / articles * 1000
    print(f"detection: {ms:.2f} CPU ms per article ({articles} articles, one process)")
    report = {
        "per_language": per_language,
        "per_corpus": by_corpus,
        "cpu_ms_per_article": round(ms, 3),
        "sample_per_news_corpus": args.sample,
        "seed": args.seed,
    }
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
