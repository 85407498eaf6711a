"""Train the second look at values (`index/entities/value_kinds.py`) and measure it.

    python eval/wikinews_cv.py train --folds 6 --name six   # the fold models (about 40 min)
    python eval/value_kinds_train.py --name six             # -> index/entities/value_kinds.tsv
    python eval/value_kinds_train.py --name six --cv        # nested cross-validation

Its examples are the values each fold model of the web cross-validation extracts from the
articles it never trained on, each labelled with the kind the annotations give that string
in that article, or "none": the mistakes the shipped model makes on unseen text, as nearly
as the training articles can show them. `--cv` trains on all folds but one and revises the
left-out fold's values, fold by fold: document F1 before and after over the training
articles, and over `eng.testa` with each fold model. The held-out set is never read.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pycrfsuite  # noqa: E402

from bench.corpora import corpora_dir  # noqa: E402
from eval import wikinews_cv as cv  # noqa: E402
from eval.doclevel import KINDS, conll_documents  # noqa: E402
from eval.doclevel import score as doc_score  # noqa: E402
from eval.wikinews_train import demo_texts  # noqa: E402
from index.entities import first_values, tagger  # noqa: E402
from index.entities.folding import key  # noqa: E402
from index.entities.furniture import clean_text  # noqa: E402
from index.entities.value_kinds import (  # noqa: E402
    OUTCOMES,
    WEIGHTS_PATH,
    Weights,
    revise,
    value_features,
    weights_from,
)

C2 = 1.0  # L2 weight, chosen with value_kinds.MARGIN on the nested cross-validation
HEADER = (
    "# Weights of index/entities/value_kinds.py (feature, outcome, weight), trained by\n"
    "# eval/value_kinds_train.py on the Wikinews training articles' cross-validation.\n"
)


def outcome(kind: str, value: str, gold: dict[str, set[str]]) -> str:
    """The kind the annotations give this string in the article (its own first), or none."""
    k = key(value)
    kinds = [kind] + [other for other in KINDS if other != kind]
    return next((other for other in kinds if k in {key(g) for g in gold[other]}), "none")


def read_folds(k: int, name: str) -> list[list[dict]]:
    """Per fold: each left-out article's gold, first values and their reading."""
    texts, gold = demo_texts(), cv.annotated()
    folds = []
    for fold, ids in enumerate(cv.fold_ids(k)):
        tagger._local.tagger = tagger.Tagger(cv.model_path(fold, k, 1, name))
        firsts = first_values([texts[i] for i in ids])
        folds.append(
            [
                {"id": i, "text": texts[i], "gold": gold[i], "first": first}
                for i, first in zip(ids, firsts, strict=True)
            ]
        )
    return folds


def train(articles: list[dict]) -> Weights:
    """Weights learnt from these articles' values (a one-item CRF is a logistic model)."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for article in articles:
        for kind, value, features in value_features(article["first"], article["text"]):
            trainer.append([features], [outcome(kind, value, article["gold"])])
    trainer.set_params({"c1": 0.0, "c2": C2, "max_iterations": 200})
    with tempfile.TemporaryDirectory() as tmp:
        trainer.train(f"{tmp}/model")
        model = pycrfsuite.Tagger()
        model.open(f"{tmp}/model")
        weights: dict[str, list[float]] = {}
        for (feature, label), weight in model.info().state_features.items():
            weights.setdefault(feature, [0.0] * len(OUTCOMES))[OUTCOMES.index(label)] = weight
        model.close()
    return weights_from(weights)


def write(weights: Weights, path: Path) -> int:
    rows = [
        f"{feature}\t{outcome}\t{weight:.6g}\n"
        for feature, row in sorted(weights.rows.items())
        for outcome, weight in zip(OUTCOMES, weights.matrix[row].tolist(), strict=True)
        if round(weight, 6)
    ]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return len(rows)


def nested(folds: list[list[dict]], k: int, name: str) -> dict:
    """Document F1 before and after, each fold revised by weights from the others; and
    eng.testa with each fold's model and weights."""
    weights = [train([a for g, fold in enumerate(folds) if g != f for a in fold]) for f in range(k)]
    docs = [(a, f) for f, fold in enumerate(folds) for a in fold]
    before = doc_score([(a["id"], a["gold"]) for a, _ in docs], _lookup(docs, None))
    after = doc_score([(a["id"], a["gold"]) for a, _ in docs], _lookup(docs, weights))
    testa = conll_documents(corpora_dir() / "conll2003" / "eng.testa")
    texts = [clean_text(f"\n\n{text}") for text, _ in testa]
    out = {"web": {"before": before, "after": after}, "testa": []}
    for f in range(k):
        tagger._local.tagger = tagger.Tagger(cv.model_path(f, k, 1, name))
        firsts = first_values(texts)
        gold = [(i, g) for i, (_, g) in enumerate(testa)]
        pairs = {
            "before": doc_score(gold, lambda i, got=firsts: got[i].values),
            "after": doc_score(
                gold, lambda i, got=firsts, w=weights[f]: revise(got[i], texts[i], w)
            ),
        }
        out["testa"].append({when: s["overall"]["f1"] for when, s in pairs.items()})
    return out


def _lookup(docs: list[tuple[dict, int]], weights: list | None):
    by_id = {a["id"]: (a, f) for a, f in docs}

    def values(ident: str) -> dict[str, list[str]]:
        article, fold = by_id[ident]
        if weights is None:
            return article["first"].values
        return revise(article["first"], article["text"], weights[fold])

    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=6)
    parser.add_argument("--name", default="", help="the wikinews_cv.py variant's fold models")
    parser.add_argument("--cv", action="store_true", help="nested cross-validation only")
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--json", type=Path, help="write the --cv figures here")
    args = parser.parse_args(argv)
    folds = read_folds(args.folds, args.name)
    if args.cv:
        report = nested(folds, args.folds, args.name)
        for when in ("before", "after"):
            scores = report["web"][when]
            kinds = ", ".join(f"{kind} {scores[kind]['f1']:.4f}" for kind in KINDS)
            print(f"web {when:6} F1 {scores['overall']['f1']:.4f} ({kinds})")
        for f, s in enumerate(report["testa"]):
            print(f"eng.testa fold {f}: F1 {s['before']:.4f} -> {s['after']:.4f}")
        if args.json:
            args.json.write_text(json.dumps(report, indent=1))
        return 0
    rows = write(train([a for fold in folds for a in fold]), args.out)
    print(f"{rows} weights -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
