"""Entity extraction quality: exact-span, type-aware P/R/F1 on CoNLL-2003 eng.testa.

    python eval/entities.py [--json OUT]

Scores PER, ORG and LOC (MISC ignored) the conlleval way: an entity counts only
if its span and its type both match. eng.testa is never used in training. Also
prints the seed article's entities: text the model has never seen.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir, seed_page  # noqa: E402
from index.entities import extract_entities  # noqa: E402
from index.entities.tagger import Tagger  # noqa: E402
from index.entities.train import read_conll, score  # noqa: E402


def seed_article(path: Path) -> tuple[str, str]:
    """Title and body of the seed page's main article (title line to "Similar articles")."""
    lines = path.read_text(encoding="utf-8").split("\n")
    content = [line.strip() for line in lines if line.strip() and line.strip() != "header -->"]
    title = content[0]
    end = content.index("Similar articles")
    body = content[4:end]  # after the Category line, the date and the photo credit
    return title, "\n\n".join(body)


def evaluate(testa: Path) -> dict:
    tagger = Tagger()
    gold, predicted = [], []
    started = time.perf_counter()
    for words, tags in read_conll(testa):
        gold.append(tags)
        predicted.append(tagger.tag_words(words))
    elapsed = time.perf_counter() - started
    result = score(gold, predicted)
    return {"sentences": len(gold), "seconds": round(elapsed, 2), "scores": result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", default=str(ROOT / "eval" / "results" / "entities.json"))
    args = parser.parse_args(argv)

    testa = corpora_dir() / "conll2003" / "eng.testa"
    report = {"data": str(testa), "model": str(Tagger().path), **evaluate(testa)}
    print(f"CoNLL-2003 eng.testa, {report['sentences']:,} sentences ({report['seconds']} s)")
    print(f"{'type':8} {'precision':>9} {'recall':>7} {'F1':>7} {'gold':>6}")
    for name, s in report["scores"].items():
        print(f"{name:8} {s['precision']:9.4f} {s['recall']:7.4f} {s['f1']:7.4f} {s['gold']:6}")
    if seed_page().is_file():
        title, body = seed_article(seed_page())
        report["seed"] = {"title": title, "entities": extract_entities(title, body)}
        print(f"\nseed article (never seen in training): {title}")
        for kind, values in report["seed"]["entities"].items():
            print(f"  {kind:12} {', '.join(values)}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nresults -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
