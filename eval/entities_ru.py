"""Russian entity extraction quality: document-level F1 on the factRuEval-2016 devset.

    python eval/entities_ru.py [--json OUT]

For each of the 122 texts (first line the title, the rest the body), the gold
names (`eval/factrueval.py` says which part of a mention is the name, and why
LocOrg counts as a place) and the values `extract_entities(..., language="ru")`
returns are compared per kind, case-insensitively, both in dictionary form: the
gold mentions as written ("Юрия Лужкова") go through the extractor's own
normaliser (`index.entities.russian.dictionary_forms`), so a match is the same
name, not the same declension. Micro precision, recall and F1 over (text, kind,
name) triples (`eval/doclevel.py`), per kind and overall.

The texts are split in two halves by a hash of their names, fixed before any
rule was written: rules may be written from what the "tune" half shows, never
from the "held-out" half, whose figure is the one to quote.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir  # noqa: E402
from eval.doclevel import KINDS  # noqa: E402
from eval.doclevel import score as doc_score  # noqa: E402
from eval.entities import _print_doc_scores as print_scores  # noqa: E402
from eval.factrueval import TEXTS, Text, read_factrueval  # noqa: E402
from index.entities import extract_entities  # noqa: E402
from index.entities.russian import dictionary_forms  # noqa: E402


def gold_names(text: Text) -> dict[str, set[str]]:
    """The text's gold names per kind, in dictionary form."""
    gold: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for m in dictionary_forms(text.text, text.mentions):
        gold[m.kind].add(m.text)
    return gold


def evaluate(texts: list[Text]) -> dict:
    """Scores on every text and on each half, and the time extraction took."""
    extracted: dict[str, dict[str, list[str]]] = {}
    started = time.process_time()
    for t in texts:
        extracted[t.text] = extract_entities(t.title, t.body, language="ru")
    cpu = time.process_time() - started
    halves = {
        "all": texts,
        "tune": [t for t in texts if not t.held_out],
        "held_out": [t for t in texts if t.held_out],
    }
    scores = {
        name: doc_score([(t.text, gold_names(t)) for t in part], extracted.__getitem__)
        for name, part in halves.items()
    }
    counts = {name: len(part) for name, part in halves.items()}
    return {"texts": counts, "cpu_seconds": round(cpu, 2), "scores": scores}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", default=str(ROOT / "eval" / "results" / "entities_ru.json"))
    args = parser.parse_args(argv)

    folder = corpora_dir() / "factrueval-dev"
    texts = read_factrueval(folder)
    if len(texts) != TEXTS:
        raise SystemExit(f"read {len(texts)} texts from {folder}, not {TEXTS}")
    report = {"data": str(folder), **evaluate(texts)}
    print(
        f"factRuEval-2016 devset, document level, {len(texts)} texts "
        f"(extraction {report['cpu_seconds']} CPU s)"
    )
    for name, scores in report["scores"].items():
        print_scores(f"{name} ({report['texts'][name]} texts)", scores)
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nresults -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
