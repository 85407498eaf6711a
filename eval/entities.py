"""Entity extraction quality: span F1 on CoNLL-2003 eng.testa, document-level F1 on
eng.testa and on hand-annotated Wikinews articles.

    python eval/entities.py [--json OUT]

Span scores: PER, ORG and LOC (MISC ignored) the conlleval way: an entity counts
only if its span and its type both match. Document-level scores
(`eval/doclevel.py`): the gold entity strings of each document against the
values `extract_entities` returns for it, case-insensitive, per kind and
overall. The Wikinews set (`eval/wikinews-gold.jsonl`, annotated by hand under
`eval/ANNOTATION.md`) is held out: no training and no rule-writing used it.
A second annotator's lists of the same articles (`eval/wikinews-gold-second.jsonl`,
made from the text alone) are scored against the first: how far two careful readers
agree bounds what the extractor can be asked. For the held-out set the values as
stored are scored too: aliases applied and consolidated with the rest of the demo
archive (`index.entities.consolidate`). Also prints the seed article's entities:
text the model has never seen.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir, seed_page  # noqa: E402
from eval.doclevel import conll_documents, counts, interval, scores, wikinews_gold  # noqa: E402
from index.entities import apply_aliases, extract_entities  # noqa: E402
from index.entities.consolidate import Consolidation  # noqa: E402
from index.entities.tagger import Tagger  # noqa: E402
from index.entities.train import read_documents, score_documents  # noqa: E402

DEMO = ROOT / "index" / "demo" / "wikinews-en.jsonl.gz"
WIKINEWS_GOLD = ROOT / "eval" / "wikinews-gold.jsonl"
WIKINEWS_SECOND = ROOT / "eval" / "wikinews-gold-second.jsonl"


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
    documents = list(read_documents(testa))
    started = time.perf_counter()
    result = score_documents(tagger, documents)
    elapsed = time.perf_counter() - started
    sentences = sum(map(len, documents))
    return {"sentences": sentences, "seconds": round(elapsed, 2), "scores": result}


def _extract(text: str) -> dict[str, list[str]]:
    return extract_entities("", text)


def wikinews_documents() -> tuple[list, dict[str, str]]:
    """(text, gold) per annotated article, and every demo article's text by id."""
    texts = {}
    with gzip.open(DEMO, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            texts[row["id"]] = f"{row['title']}\n\n{row['body']}"
    gold = wikinews_gold(WIKINEWS_GOLD)
    return [(texts[i], g) for i, g in gold.items()], texts


def stored_values(texts: dict[str, str]):
    """text -> values as the demo archive stores them: aliases, then consolidation."""
    extracted = {t: apply_aliases(_extract(t)) for t in texts.values()}
    table = Consolidation.build(extracted.values())
    return lambda text: table.apply(extracted[text])


def _print_doc_scores(name: str, figures: dict, spread: tuple[float, float]) -> None:
    print(f"\n{name}")
    print(f"{'kind':13} {'precision':>9} {'recall':>7} {'F1':>7} {'gold':>6}")
    for kind, s in figures.items():
        print(f"{kind:13} {s['precision']:9.4f} {s['recall']:7.4f} {s['f1']:7.4f} {s['gold']:6}")
    print(f"overall F1, 95% bootstrap interval over documents: {spread[0]:.4f} to {spread[1]:.4f}")


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
    docs, texts = wikinews_documents()
    testa_docs = conll_documents(testa)
    second = {texts[i]: lists for i, lists in wikinews_gold(WIKINEWS_SECOND).items()}
    found = {
        "eng.testa": counts(testa_docs, _extract),
        "wikinews": counts(docs, _extract),
        "wikinews_stored": counts(docs, stored_values(texts)),
        "wikinews_agreement": counts(docs, second.__getitem__),
    }
    report["doc_level"] = {name: scores(per_document) for name, per_document in found.items()}
    # how far a set this size moves by chance: the held-out set is 60 articles
    report["doc_level_interval"] = {name: interval(counted) for name, counted in found.items()}
    names = {
        "eng.testa": f"document-level, eng.testa ({len(testa_docs)} documents)",
        "wikinews": f"document-level, Wikinews held-out ({len(docs)} hand-annotated articles)",
        "wikinews_stored": "document-level, Wikinews held-out, values as stored "
        "(aliases + consolidation)",
        "wikinews_agreement": "document-level, Wikinews held-out, a second annotator's lists "
        "against the first (agreement)",
    }
    for key, figures in report["doc_level"].items():
        _print_doc_scores(names[key], figures, report["doc_level_interval"][key])
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
