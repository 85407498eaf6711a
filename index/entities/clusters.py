"""Distributional word clusters: unseen organisation and place names share contexts.

A word's cluster generalises beyond the ~200k tokens of labelled training text
(e.g. an unseen company name behaves like seen ones: "shares of X", "X said").
Built once from unlabelled news text, before training:

    python -m index.entities.train --clusters-text reuters21578.jsonl.gz \
        --clusters-text eng.train --train eng.train

Method: counts of each frequent word's left and right neighbours, positive PMI,
a projection onto the top principal directions, then k-means at two
granularities. Each word also gets a bucket of how often it is written in
lowercase mid-sentence, so a capitalised "Simultaneously" reads as a common
word. The file (index/entities/clusters.tsv: word, coarse id, fine id, bucket)
ships with the model: the model's cluster features mean nothing without it.

A second clustering (`--more-clusters-text`, three more columns: coarse, fine and
finest id) clusters the same text together with more of it: tens of thousands of
words the training text never holds get a cluster ("d=", "df=", "dx=" features),
while the first clustering keeps the ids the labelled text was clustered with. Its
finest level (2,048 clusters of 34,603 words) tells apart what 512 lump together.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from index.entities.shipped import read_table

CLUSTERS_PATH = Path(__file__).with_name("clusters.tsv")


@lru_cache(maxsize=1)
def load_clusters(path: str | None = None) -> dict[str, tuple[str, ...]]:
    """lowercased word -> (coarse id, fine id, lowercase-use bucket[, coarse, fine, finest ids
    of a second clustering])."""
    file = Path(path) if path else CLUSTERS_PATH
    rebuild = "python -m index.entities.train --clusters-text TEXT ... --train ..."
    return {word: tuple(columns) for word, *columns in read_table(file, "word clusters", rebuild)}


def _texts(path: str) -> Iterator[str]:
    """Texts of a JSONL(.gz) of articles, or sentences of a CoNLL file."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        if ".jsonl" in path:
            for line in handle:
                record = json.loads(line)
                yield f"{record.get('title') or ''}\n\n{record.get('body') or ''}"
        else:
            words: list[str] = []
            for line in handle:
                parts = line.split()
                if parts and parts[0] != "-DOCSTART-":
                    words.append(parts[0])
                elif words:
                    yield " ".join(words)
                    words = []


def build(
    paths: list[str],
    out: Path,
    more: list[str] | None = None,
    min_count: int = 4,
    ks=(64, 512),
    more_ks=(64, 512, 2048),
    seed: int = 7,
) -> int:
    """Cluster every word seen at least `min_count` times in `paths` into `ks` clusters; with
    `more`, cluster the words of `paths` and `more` together a second time into `more_ks`
    clusters, as more columns. Returns the number of words in the file."""
    words, levels, case = _cluster(paths, min_count, ks, seed)
    rows = {w: [*(str(ids[i]) for ids in levels), case[w]] for i, w in enumerate(words)}
    if more:
        wider, wide_levels, wide_case = _cluster([*paths, *more], min_count, more_ks, seed)
        for i, word in enumerate(wider):
            row = rows.setdefault(word, [""] * len(ks) + [wide_case[word]])
            row += [str(ids[i]) for ids in wide_levels]  # `paths`' words too
    with open(out, "w", encoding="utf-8") as handle:
        for word, row in rows.items():
            handle.write("\t".join([word, *row]) + "\n")
    return len(rows)


def _cluster(paths: list[str], min_count: int, ks, seed: int):
    """(frequent words, their cluster ids at each of `ks`, word -> lowercase-use bucket)."""
    import numpy as np

    from index.entities.tokenize import sentences

    seqs: list[list[str]] = []
    inside: Counter = Counter()  # occurrences not sentence-initial
    lower: Counter = Counter()  # ... of which written in lowercase
    for path in paths:
        for text in _texts(path):
            for sent in sentences(text):
                seqs.append(["<s>"] + [t.text.lower() for t in sent] + ["</s>"])
                if sum(t.text.isupper() for t in sent) * 2 > len(sent):
                    continue  # an all-caps headline says nothing about case
                for t in sent[1:]:
                    low = t.text.lower()
                    inside[low] += 1
                    lower[low] += t.text == low
    freq = Counter(w for s in seqs for w in s)
    vocab = [w for w, c in freq.most_common() if c >= min_count and w not in ("<s>", "</s>")]
    index = {w: i for i, w in enumerate(vocab)}
    n_ctx = 1000
    ctx = {w: i for i, (w, _) in enumerate(freq.most_common(n_ctx))}
    counts = np.zeros((len(vocab), 2 * n_ctx), dtype=np.float32)
    for s in seqs:
        for i in range(1, len(s) - 1):
            row = index.get(s[i])
            if row is None:
                continue
            left, right = ctx.get(s[i - 1]), ctx.get(s[i + 1])
            if left is not None:
                counts[row, left] += 1
            if right is not None:
                counts[row, n_ctx + right] += 1
    total = counts.sum()
    pmi = np.log(
        (counts * total + 1e-9)
        / (counts.sum(1, keepdims=True) * counts.sum(0, keepdims=True) + 1e-9)
    )
    x = np.where(counts > 0, np.maximum(pmi, 0), 0).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-9
    _, vecs = np.linalg.eigh(x.T @ x)
    z = x @ vecs[:, -100:]
    z /= np.linalg.norm(z, axis=1, keepdims=True) + 1e-9
    labels = [_kmeans(z, k, np.random.default_rng(seed)).tolist() for k in ks]
    return vocab, labels, {w: _case(lower[w], inside[w]) for w in vocab}


def _case(lower: int, total: int) -> str:
    """How often a word is written lowercase mid-sentence: common word vs. name."""
    if total < 3:
        return "?"
    ratio = lower / total
    return "0" if ratio < 0.05 else "1" if ratio < 0.5 else "2" if ratio < 0.95 else "3"


def _kmeans(z, k: int, rng, iterations: int = 20):
    """Spherical k-means (cosine), seeded with k distinct frequent-biased points."""
    import numpy as np

    centres = z[rng.choice(len(z), size=k, replace=False)]
    for _ in range(iterations):
        labels = np.argmax(z @ centres.T, axis=1)
        for c in range(k):
            members = z[labels == c]
            if len(members):
                centre = members.sum(0)
                centres[c] = centre / (np.linalg.norm(centre) + 1e-9)
    return labels
