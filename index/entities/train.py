"""Train the entity tagger on CoNLL-format annotations, and score a tagger on them.

    python -m index.entities.train --train eng.train --out index/entities/model.crfsuite

Input format (CoNLL-2003): one token per line, columns separated by spaces or
tabs, the FIRST column the word and the LAST column its tag; any columns between
(POS, chunk) are ignored. A blank line ends a sentence; a `-DOCSTART-` line
starts a document (a word's other occurrences in its document are features too,
so an archive's own annotations should keep them). Tags are PER, ORG, LOC and
MISC in IOB1 (`I-PER`, `B-PER` only between two adjacent entities of one type)
or IOB2 (`B-PER` starts every entity); `O` is outside. Other types train, but
only PER/ORG/LOC reach the facets. An archive can retrain on its own annotations
alone or together with eng.train by giving --train several times.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from index.entities.features import tagger_features

if TYPE_CHECKING:
    from index.entities.tagger import Tagger

DEFAULT_PARAMS = {"c1": 0.005, "c2": 0.1, "max_iterations": 200}  # eng.testa + web CV


def read_documents(path: str | Path) -> Iterator[list[tuple[list[str], list[str]]]]:
    """Yield each document of a CoNLL-format file (split at `-DOCSTART-` lines) as its
    sentences' (words, IOB2 tags); a file without them is one document."""
    doc: list[tuple[list[str], list[str]]] = []
    words: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            parts = line.split()
            if not parts or parts[0] == "-DOCSTART-":
                if words:
                    doc.append((words, to_iob2(tags)))
                    words, tags = [], []
                if parts and doc:
                    yield doc
                    doc = []
                continue
            if len(parts) < 2:
                raise ValueError(f"{path}:{lineno}: expected 'word ... tag', got {line.strip()!r}")
            words.append(parts[0])
            tags.append(parts[-1])
    if words:
        doc.append((words, to_iob2(tags)))
    if doc:
        yield doc


def read_conll(path: str | Path) -> Iterator[tuple[list[str], list[str]]]:
    """Yield (words, IOB2 tags) per sentence of a CoNLL-format file."""
    for doc in read_documents(path):
        yield from doc


def to_iob2(tags: list[str]) -> list[str]:
    """IOB1 or IOB2 -> IOB2 (every entity starts with B-)."""
    out = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def spans(tags: Iterable[str]) -> list[tuple[int, int, str]]:
    """Entity spans (start, end, type) of an IOB2 tag sequence; stray I- starts one."""
    result = []
    start, kind = -1, ""
    for i, tag in enumerate((*tags, "O")):
        if tag == "O" or tag.startswith("B-") or tag[2:] != kind:
            if start >= 0:
                result.append((start, i, kind))
            start, kind = (i, tag[2:]) if tag != "O" else (-1, "")
    return result


def score(
    gold: Iterable[list[str]], predicted: Iterable[list[str]], types=("PER", "ORG", "LOC")
) -> dict[str, dict[str, float]]:
    """Exact-span, type-aware precision/recall/F1 per type and overall (conlleval's way)."""
    counts = {t: [0, 0, 0] for t in types}  # true positives, predicted, gold
    for g_tags, p_tags in zip(gold, predicted, strict=True):
        g = {s for s in spans(g_tags) if s[2] in counts}
        p = {s for s in spans(p_tags) if s[2] in counts}
        for s in g:
            counts[s[2]][2] += 1
        for s in p:
            counts[s[2]][1] += 1
            if s in g:
                counts[s[2]][0] += 1
    return precision_recall(counts)


def score_documents(
    tagger: Tagger, documents: list[list[tuple[list[str], list[str]]]]
) -> dict[str, dict[str, float]]:
    """`score` of a tagger on `read_documents` output, each document tagged whole (its
    features span its sentences, as extraction tags an article)."""
    tagged = tagger.tag_documents([[words for words, _ in doc] for doc in documents])
    gold = [tags for doc in documents for _, tags in doc]
    return score(gold, [tags for doc in tagged for tags in doc])


def precision_recall(counts: dict[str, list[int]]) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 per type and overall from [true positives, predicted, gold]."""
    counts = {**counts, "overall": [sum(c[i] for c in counts.values()) for i in range(3)]}
    result = {}
    for name, (tp, n_pred, n_gold) in counts.items():
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        result[name] = {"precision": p, "recall": r, "f1": f, "gold": n_gold, "predicted": n_pred}
    return result


def train(
    paths: list[str | Path], out: str | Path, params: dict | None = None, verbose: bool = False
) -> dict:
    """Train a CRF on the CoNLL files and write the model; returns a summary."""
    import pycrfsuite

    started = time.perf_counter()
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=verbose)
    n_sent = n_tok = 0
    for path in paths:
        for doc in read_documents(path):
            sentences = [words for words, _ in doc]
            for features, (words, tags) in zip(tagger_features(sentences), doc, strict=True):
                trainer.append(features, tags)
                n_sent += 1
                n_tok += len(words)
    if not n_sent:
        raise ValueError("no training sentences found")
    trainer.set_params({**DEFAULT_PARAMS, **(params or {})})
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    trainer.train(str(tmp))
    tmp.replace(out)  # atomic: a running process never sees half a model
    return {
        "sentences": n_sent,
        "tokens": n_tok,
        "seconds": round(time.perf_counter() - started, 1),
        "bytes": out.stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", action="append", required=True, help="CoNLL file (repeatable)")
    parser.add_argument("--out", default=str(Path(__file__).with_name("model.crfsuite")))
    parser.add_argument("--c1", type=float, default=DEFAULT_PARAMS["c1"])
    parser.add_argument("--c2", type=float, default=DEFAULT_PARAMS["c2"])
    parser.add_argument("--iterations", type=int, default=DEFAULT_PARAMS["max_iterations"])
    parser.add_argument("--dev", help="CoNLL file to score the new model on")
    parser.add_argument(
        "--clusters-text",
        action="append",
        help="rebuild the word clusters from this JSONL(.gz) or CoNLL text first (repeatable)",
    )
    parser.add_argument(
        "--more-clusters-text",
        action="append",
        help="with --clusters-text: cluster it again together with this text (repeatable)",
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.more_clusters_text and not args.clusters_text:
        parser.error("--more-clusters-text needs --clusters-text")
    if args.clusters_text:
        from index.entities.clusters import CLUSTERS_PATH, build, load_clusters

        n = build(args.clusters_text, CLUSTERS_PATH, args.more_clusters_text)
        load_clusters.cache_clear()
        print(f"{n:,} words clustered -> {CLUSTERS_PATH}")
    params = {"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations}
    summary = train(args.train, args.out, params, verbose=args.verbose)
    print(
        f"trained on {summary['sentences']:,} sentences ({summary['tokens']:,} tokens) "
        f"in {summary['seconds']} s -> {args.out} ({summary['bytes'] / 1e6:.1f} MB)"
    )
    if args.dev:
        from index.entities.tagger import Tagger

        scores = score_documents(Tagger(args.out), list(read_documents(args.dev)))
        for name, s in scores.items():
            print(f"{name:8} P {s['precision']:.4f}  R {s['recall']:.4f}  F1 {s['f1']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
