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
    counts = {k: [0, 0, 0] for k in KINDS}  # true positives, predicted, gold
    for text, gold in docs:
        predicted = extract(text)
        for kind in KINDS:
            g = {key(v) for v in gold.get(kind, ())}
            p = {key(v) for v in predicted.get(kind, ())}
            counts[kind][0] += len(g & p)
            counts[kind][1] += len(p)
            counts[kind][2] += len(g)
    return precision_recall(counts)
