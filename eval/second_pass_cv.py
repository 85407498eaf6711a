"""Measure a second tagging pass over the first pass's labels (not shipped; README,
"Document features"), fold by fold as `eval/wikinews_cv.py` measures variants.

    python eval/second_pass_cv.py train --fold N   # per fold: two half models, then the second
    python eval/second_pass_cv.py score            # web cross-validation and eng.testa

`--agnews` trains (and scores) second models that also learned from the AG News items, as
the shipped first pass now does (kept in their own folder); score them over first-pass
fold models of the same training data (`--name` of a `wikinews_cv.py train` variant).

The second model (Krishnan & Manning, 2006, simplified) sees every feature the shipped
tagger does plus the first pass's label of the token and of its neighbours, and the label
the first pass gave most often to the same capitalised word elsewhere in the article. It is
trained on first-pass labels that no model trained on them produced: the fold's training
documents are split in two, a model trained on each half labels the other. At scoring time
the first pass is the fold's model from `python eval/wikinews_cv.py train` (the shipped
configuration's, `--name` selects another) and the second is decoded by crfsuite itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pycrfsuite  # noqa: E402

from bench.corpora import corpora_dir  # noqa: E402
from eval import wikinews_cv as cv  # noqa: E402
from eval.doclevel import conll_documents  # noqa: E402
from eval.doclevel import score as doc_score  # noqa: E402
from index.entities import tagger  # noqa: E402
from index.entities.features import tagger_features  # noqa: E402
from index.entities.train import DEFAULT_PARAMS, read_documents, score_documents  # noqa: E402

Document = list[tuple[list[str], list[str]]]
OUT = cv.CACHE / "second-pass"


def label_features(sentences: list[list[str]], tags: list[list[str]]) -> list[list[list[str]]]:
    """Per token: its first-pass label, its neighbours', and the label most often given to
    the same capitalised word elsewhere in the document."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for words, labels in zip(sentences, tags, strict=True):
        for word, label in zip(words, labels, strict=True):
            if word[:1].isupper():
                seen[word.lower()][label[2:] or "O"] += 1
    out = []
    for words, labels in zip(sentences, tags, strict=True):
        row = []
        for i, (word, label) in enumerate(zip(words, labels, strict=True)):
            feats = ["K0=" + label]
            if i > 0:
                feats.append("K-1=" + labels[i - 1])
            if i + 1 < len(labels):
                feats.append("K+1=" + labels[i + 1])
            if word[:1].isupper():
                others = seen[word.lower()].copy()
                others[label[2:] or "O"] -= 1
                others = +others
                if others:
                    feats.append("Km=" + others.most_common(1)[0][0])
            row.append(feats)
        out.append(row)
    return out


def _train(docs: list[Document], path: Path, labels: list[list[list[str]]] | None = None) -> None:
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for d, doc in enumerate(docs):
        sentences = [words for words, _ in doc]
        rows = tagger_features(sentences)
        if labels:
            extra = label_features(sentences, labels[d])
            pairs = zip(rows, extra, strict=True)
            rows = [[a + b for a, b in zip(r, e, strict=True)] for r, e in pairs]
        for features, (_, tags) in zip(rows, doc, strict=True):
            trainer.append(features, tags)
    trainer.set_params(DEFAULT_PARAMS)
    trainer.train(str(path))


def _crfsuite(path: Path) -> pycrfsuite.Tagger:
    model = pycrfsuite.Tagger()
    model.open(str(path))
    return model


def train_fold(fold: int, agnews: bool = False) -> None:
    """Two half models label each other's half; the second model trains on all of it."""
    out = _out(agnews)
    out.mkdir(parents=True, exist_ok=True)
    files = cv.training_files(fold, 3, sites=("agnews",) if agnews else ())
    docs = [doc for path in files for doc in read_documents(path)]
    labels: list[list[list[str]]] = [[] for _ in docs]
    for half in (0, 1):
        path = out / f"half{fold}{half}.crfsuite"
        _train(docs[half::2], path)
        model = _crfsuite(path)
        for d in range(1 - half, len(docs), 2):
            sentences = [words for words, _ in docs[d]]
            labels[d] = [model.tag(features) for features in tagger_features(sentences)]
    _train(docs, out / f"second{fold}.crfsuite", labels)


def _out(agnews: bool) -> Path:
    return OUT / "agnews" if agnews else OUT


def _two_passes(first: tagger.Tagger, second: pycrfsuite.Tagger):
    one_pass = tagger.Tagger._decode

    def decode(self, documents: list[list[list[str]]], sure: bool):
        tagged, probs = one_pass(self, documents, sure)
        out = []
        for doc, tags in zip(documents, tagged, strict=True):
            features, extra = tagger_features(doc), label_features(doc, tags)
            out.append(
                [
                    second.tag([a + b for a, b in zip(f, e, strict=True)]) if words else []
                    for words, f, e in zip(doc, features, extra, strict=True)
                ]
            )
        return out, probs

    first._decode = decode.__get__(first)
    tagger._local.tagger = first  # what get_tagger returns


def score_folds(name: str, agnews: bool = False) -> None:
    texts = cv.demo_texts()
    gold = cv.annotated()
    testa = corpora_dir() / "conll2003" / "eng.testa"
    testa_docs, testa_text = list(read_documents(testa)), conll_documents(testa)
    docs, predicted, folds = [], {}, []
    for fold, ids in enumerate(cv.fold_ids(3)):
        first = tagger.Tagger(cv.model_path(fold, 3, 1, name))
        _two_passes(first, _crfsuite(_out(agnews) / f"second{fold}.crfsuite"))
        for ident in ids:
            predicted[ident] = cv.first_pass(texts[ident])
            docs.append((ident, gold[ident]))
        span = score_documents(first, testa_docs)["overall"]["f1"]
        doc = doc_score(testa_text, cv.first_pass)
        folds.append(f"fold{fold}  span F1 {span:.4f}  doc F1 {doc['overall']['f1']:.4f}")
    web = doc_score(docs, lambda ident: predicted[ident])
    print("web", json.dumps({kind: round(s["f1"], 4) for kind, s in web.items()}))
    print("\n".join(folds))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("train", "score"))
    parser.add_argument("--fold", type=int, help="train this fold (0, 1 or 2)")
    parser.add_argument("--name", default="", help="first-pass fold models of this variant")
    parser.add_argument("--agnews", action="store_true", help="train on the AG News items too")
    args = parser.parse_args(argv)
    if args.action == "train":
        train_fold(args.fold, args.agnews)
    else:
        score_folds(args.name, args.agnews)
    return 0


if __name__ == "__main__":
    sys.exit(main())
