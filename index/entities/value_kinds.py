"""A second look at each value of an article: keep it, give it another kind, or drop it.

The tagger decides token by token; a reader sees whole values. A small multinomial
logistic model (`value_kinds.tsv`, trained by `eval/value_kinds_train.py` on what the
cross-validation's fold models extracted from articles they never saw) weighs what the
tagger's best path leaves out: how sure the model was of the value's tokens (their label
probabilities, `tagger.Certainty`), how its mentions voted, how often the string recurs
untagged or in lowercase, and whether it sits inside a longer value of another kind. A
value changes only where the model prefers another outcome by more than MARGIN.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from index.entities.clusters import load_clusters
from index.entities.folding import KINDS, is_acronym, key
from index.entities.gazetteer import load_gazetteer, lookup_key
from index.entities.shipped import read_table
from index.entities.tagger import CERTAINTY_COLUMNS, Certainty, Mention
from index.entities.tagger import KINDS as TAGS
from index.entities.tokenize import WordPlaces, joins

WEIGHTS_PATH = Path(__file__).with_name("value_kinds.tsv")
OUTCOMES = (*KINDS, "none")  # "none": not a name of any kind
MARGIN = 0.2  # chosen on the web cross-validation (README, "A second look at values")
_COLUMN = {kind: CERTAINTY_COLUMNS.index(tag) for tag, kind in TAGS.items()}
_BUCKETS = (0.5, 0.7, 0.85, 0.95, 0.99)
_LONGEST_PART = 8  # words of a value looked up as part of a longer one
_OCCURRENCES = 64  # places of a word looked at, as the document features' first 64

Features = dict[str, float]


class FirstValues(NamedTuple):
    """An article's values before the second look, and what they came from."""

    values: dict[str, list[str]]  # kind -> values, as `folding` and the alias file make them
    mentions: list[Mention]  # the mentions folded into them
    certainty: Certainty  # the tagger's, of each token of the text
    ruled: frozenset[str]  # keys of values a rule made or changed a mention of


class Weights(NamedTuple):
    """The model: each feature's row of `matrix`, which holds its weight per outcome."""

    rows: dict[str, int]
    matrix: np.ndarray  # (features, OUTCOMES)


def weights_from(table: Mapping[str, Sequence[float]]) -> Weights:
    """Weights from feature -> weight per outcome (in OUTCOMES' order)."""
    return Weights(
        {f: i for i, f in enumerate(table)},
        np.array(list(table.values())).reshape(-1, len(OUTCOMES)),
    )


@lru_cache(maxsize=1)
def load_weights(path: str | None = None) -> Weights:
    """feature -> its weight for each of OUTCOMES."""
    file = Path(path) if path else WEIGHTS_PATH
    rebuild = "python eval/value_kinds_train.py"
    out: dict[str, list[float]] = {}
    for feature, outcome, weight in read_table(file, "value kind weights", rebuild, comment="#"):
        out.setdefault(feature, [0.0] * len(OUTCOMES))[OUTCOMES.index(outcome)] = float(weight)
    return weights_from(out)


def revise(first: FirstValues, text: str, weights: Weights | None = None) -> dict[str, list[str]]:
    """The values, each kept, moved to another kind or dropped (in their order), by the
    shipped weights or these."""
    weights = weights if weights is not None else load_weights()
    found = value_features(first, text)
    odds = probabilities([features for _, _, features in found], weights)
    out: dict[str, list[str]] = {kind: [] for kind in KINDS}
    seen: set[tuple[str, str]] = set()
    for (kind, value, _), row in zip(found, odds.tolist(), strict=True):
        best = max(range(len(OUTCOMES)), key=row.__getitem__)
        to = OUTCOMES[best] if row[best] - row[OUTCOMES.index(kind)] > MARGIN else kind
        if key(value) in first.ruled:  # a rule's decision stands (README)
            to = kind
        if to != "none" and (to, key(value)) not in seen:
            seen.add((to, key(value)))
            out[to].append(value)
    return out


def probabilities(items: list[Features], weights: Weights) -> np.ndarray:
    """Each item's probability of each outcome (a row each, in OUTCOMES' order): a softmax
    of its features' summed weights, all items scored in a few array operations."""
    item, column, value = [], [], []
    for i, features in enumerate(items):
        for feature, x in features.items():
            row = weights.rows.get(feature)
            if row is not None:
                item.append(i)
                column.append(row)
                value.append(x)
    scores = np.zeros((len(items), len(OUTCOMES)))
    np.add.at(scores, item, weights.matrix[column] * np.array(value)[:, None])
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    return scores / scores.sum(axis=1, keepdims=True)


def value_features(first: FirstValues, text: str) -> list[tuple[str, str, Features]]:
    """(kind, value, features) of each value of one article."""
    values, mentions, certainty = first.values, first.mentions, first.certainty
    votes: dict[str, Counter] = defaultdict(Counter)
    tokens: dict[str, list[int]] = defaultdict(list)  # rows of certainty.probs
    firsts = np.searchsorted(certainty.starts, [m.start for m in mentions])
    stops = np.searchsorted(certainty.starts, [m.end for m in mentions])
    for m, begin, stop in zip(mentions, firsts.tolist(), stops.tolist(), strict=True):
        k = key(m.text)
        votes[k][m.kind] += 1
        tokens[k].extend(range(begin, stop))
    sureness = _token_stats(tokens, certainty)
    pairs = [(kind, value) for kind in KINDS for value in values.get(kind, [])]
    kinds_of: dict[str, set[str]] = defaultdict(set)
    for kind, value in pairs:
        kinds_of[key(value)].add(kind)
    longer = _longer_kinds(pairs)
    occurrences = _Occurrences(text, [value for _, value in pairs])
    out = []
    for kind, value in pairs:
        k = key(value)
        features: Features = {f"k={kind}": 1.0}
        tally = votes.get(k)
        count = sum(tally.values()) if tally else 0
        if tally:
            features.update({f"vote={other}": tally[other] / count for other in KINDS})
        words = value.split()
        features[f"n={min(count, 5)}"] = 1.0
        size = f"nw={min(len(words), 4)}"
        features[size] = 1.0
        lexical = [size, f"head={words[-1].lower()}"]
        lexical += _word_flags("h", words[-1]) + _word_flags("f", words[0])
        acronym = is_acronym(value)
        if acronym:
            lexical.append("acronym")
            features["acronym"] = 1.0
        features.update({f"k={kind}|{name}": 1.0 for name in lexical})
        if value.isupper() and not acronym:
            features["caps"] = 1.0
        if "." in value:
            features["dot"] = 1.0
        if any(ch.isdigit() for ch in value):
            features["digit"] = 1.0
        features.update(occurrences.features(value, count))
        features.update({f"in_longer={other}": 1.0 for other in longer.get(k, ())})
        shorter = set().union(*(kinds_of.get(part, ()) for part in _parts(k.split())))
        features.update({f"has_shorter={other}": 1.0 for other in shorter})
        features.update(_sureness(kind, sureness.get(k)))
        out.append((kind, value, features))
    return out


class _Occurrences:
    """Where a value stands in the text as a whole word, whatever its case, among its first
    word's first _OCCURRENCES places (`tokenize.WordPlaces`: linear work per article)."""

    def __init__(self, text: str, values: list[str]) -> None:
        self.text = text
        self.title_end = text.find("\n\n")
        self.words = WordPlaces(text, values, lower=True, limit=_OCCURRENCES)

    def features(self, value: str, tagged: int) -> Features:
        """How often it occurs, more often than tagged, in lowercase, first in the title."""
        found = self._starts(value)
        out = {f"occurrences={min(len(found), 5)}": 1.0}
        if len(found) > tagged:
            out["untagged"] = 1.0
        if any(self.text[s : s + len(value)].islower() for s in found):
            out["lowercase"] = 1.0
        if found and found[0] < self.title_end:
            out["in_title"] = 1.0
        return out

    def _starts(self, value: str) -> list[int]:
        needle, text, size = value.lower(), self.text, len(value)
        return [
            at
            for at in self.words.candidates(value)
            if text[at : at + size].lower() == needle and not joins(text[at + size : at + size + 1])
        ]


@lru_cache(maxsize=65_536)
def _word_flags(prefix: str, word: str) -> tuple[str, ...]:
    """A word's name-list flags and coarse clusters (once per word and process)."""
    flags = [f"{prefix}g={flag}" for flag in load_gazetteer().get(lookup_key(word), ())]
    clusters = load_clusters().get(word.lower())
    if clusters:
        flags += [
            f"{prefix}c={clusters[0]}",
            f"{prefix}d={clusters[4] if len(clusters) > 4 else ''}",
        ]
    return tuple(flags)


def _parts(words: list[str]) -> list[str]:
    """The runs of words shorter than the whole (up to _LONGEST_PART words)."""
    return [
        " ".join(words[i : i + size])
        for size in range(1, min(len(words), _LONGEST_PART + 1))
        for i in range(len(words) - size + 1)
    ]


def _longer_kinds(pairs: list[tuple[str, str]]) -> dict[str, set[str]]:
    """Value key -> kinds of the longer values it is a run of words of."""
    out: dict[str, set[str]] = defaultdict(set)
    for kind, value in pairs:
        for part in _parts(key(value).split()):
            out[part].add(kind)
    return out


def _token_stats(tokens: dict[str, list[int]], certainty: Certainty) -> dict[str, tuple]:
    """Value key -> (mean, min, max) of each CERTAINTY_COLUMN over its tagged tokens."""
    keys = [k for k, rows in tokens.items() if rows]
    if not keys:
        return {}
    sizes = np.array([len(tokens[k]) for k in keys])
    probs = certainty.probs[np.concatenate([tokens[k] for k in keys])]
    offsets = np.cumsum(sizes) - sizes
    means = np.add.reduceat(probs, offsets) / sizes[:, None]
    least = np.minimum.reduceat(probs, offsets)
    most = np.maximum.reduceat(probs, offsets)
    stats = zip(means.tolist(), least.tolist(), most.tolist(), strict=True)
    return dict(zip(keys, stats, strict=True))


def _sureness(kind: str, stats: tuple | None) -> Features:
    """The tagger's label probabilities over the value's tagged tokens."""
    if stats is None:
        return {"untokened": 1.0}
    means, least, most = stats
    own = means[_COLUMN[kind]]
    out = {
        "sure": own,
        f"sure<{_bucket(own)}": 1.0,
        f"k={kind}|sure<{_bucket(own)}": 1.0,
        f"least_sure<{_bucket(least[_COLUMN[kind]])}": 1.0,
        f"named_least<{_bucket(1.0 - most[0])}": 1.0,
        "named": 1.0 - means[0],
    }
    for i, column in enumerate(CERTAINTY_COLUMNS[1:], start=1):
        out[f"soft={column}"] = means[i]
    return out


def _bucket(p: float) -> str:
    return next((str(b) for b in _BUCKETS if p < b), "1")
