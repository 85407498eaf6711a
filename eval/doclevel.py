"""Document-level entity scores: gold entity strings per document against extracted values.

For each document and type (person, organization, place), the gold set is the
distinct entity strings an annotator marked and the predicted set is what
`extract_entities` returns for the document's text; both compared
case-insensitively (whitespace and apostrophes normalised). Precision, recall
and F1 are micro-averaged over (document, type, string) triples: this is what a
reader of one article's facet links sees, whatever the spans.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from index.entities.folding import key
from index.entities.train import precision_recall

KINDS = ("person", "organization", "place")
CONLL_KINDS = {"PER": "person", "ORG": "organization", "LOC": "place"}

Doc = tuple[str, dict[str, set[str]]]  # (text, gold strings per kind)


def conll_documents(path: str | Path) -> list[Doc]:
    """CoNLL-2003 documents: text (tokens joined by spaces, a line per sentence), gold strings."""
    docs: list[Doc] = []
    sentences: list[list[str]] = []
    gold: dict[str, set[str]] = {k: set() for k in KINDS}
    words: list[str] = []
    current: list[str] = []
    kind = ""

    def close_entity() -> None:
        nonlocal current, kind
        if current and kind in CONLL_KINDS:
            gold[CONLL_KINDS[kind]].add(" ".join(current))
        current, kind = [], ""

    def close_doc() -> None:
        nonlocal sentences, gold
        if sentences:
            docs.append(("\n".join(" ".join(s) for s in sentences), gold))
        sentences, gold = [], {k: set() for k in KINDS}

    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if not parts or parts[0] == "-DOCSTART-":
                close_entity()
                if words:
                    sentences.append(words)
                    words = []
                if parts:
                    close_doc()
                continue
            word, tag = parts[0], parts[-1]
            words.append(word)
            if tag == "O" or tag.startswith("B-") or tag[2:] != kind:
                close_entity()
            if tag != "O":
                current.append(word)
                kind = tag[2:]
    close_entity()
    if words:
        sentences.append(words)
    close_doc()
    return docs


def wikinews_gold(path: str | Path) -> dict[str, dict[str, set[str]]]:
    """article id -> gold strings per kind, from the hand annotations (JSONL)."""
    out = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                out[row["id"]] = {k: set(row.get(k) or []) for k in KINDS}
    return out


def score(
    docs: Iterable[Doc], extract: Callable[[str], dict[str, list[str]]]
) -> dict[str, dict[str, float]]:
    """Micro P/R/F1 per kind and overall over (document, kind, string) triples."""
    return scores(counts(docs, extract))


def counts(docs: Iterable[Doc], extract: Callable[[str], dict[str, list[str]]]) -> np.ndarray:
    """[true positives, predicted, gold] per document and kind: (documents, KINDS, 3)."""
    out = []
    for text, gold in docs:
        predicted = extract(text)
        row = []
        for kind in KINDS:
            g = {key(v) for v in gold.get(kind, ())}
            p = {key(v) for v in predicted.get(kind, ())}
            row.append([len(g & p), len(p), len(g)])
        out.append(row)
    return np.array(out, dtype=int).reshape(-1, len(KINDS), 3)


def scores(per_document: np.ndarray) -> dict[str, dict[str, float]]:
    """`score`'s figures from `counts`."""
    totals = per_document.sum(axis=0)
    return precision_recall({kind: totals[i].tolist() for i, kind in enumerate(KINDS)})


def interval(per_document: np.ndarray, resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """The overall F1's 95% interval over documents (percentile bootstrap: documents drawn
    with replacement, `resamples` times): how far a set this size can move by chance."""
    if not len(per_document):
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    overall = per_document.sum(axis=1)  # (documents, 3): summed over kinds
    drawn = rng.integers(0, len(overall), size=(resamples, len(overall)))
    tp, predicted, gold = overall[drawn].sum(axis=1).T
    f1 = np.divide(2 * tp, predicted + gold, out=np.zeros(resamples), where=predicted + gold > 0)
    low, high = np.percentile(f1, [2.5, 97.5])
    return (float(low), float(high))
