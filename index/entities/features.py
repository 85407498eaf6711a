"""CRF features for a sentence of tokens (no POS tags: raw text has none).

A token's features are its word's own, the prefixed copies its neighbours'
words lend it (`word_features`), the bigrams it forms with each neighbour
(`pair_features`) and the sentence edges. Training reads them as strings
(`sentence_features`, each word's computed once per process); tagging sums
their weights per word and pair (`index.entities.scores`). Both build on the
functions here, so the two can never drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable

from index.entities.clusters import load_clusters
from index.entities.document_features import document_features
from index.entities.gazetteer import load_gazetteer, lookup_key

_CACHE_LIMIT = 300_000  # distinct words; a cleared cache only costs speed
WordFeatures = tuple[list[str], list[str], list[str], list[str], list[str]]
_cache: dict[str, WordFeatures] = {}
BOS, BOS_TITLE, EOS = "BOS", "BOS_T", "EOS"

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def shape(word: str) -> str:
    """Word shape with runs collapsed: "Lukashenka" -> "Xx", "CSTO" -> "X", "1996-08" -> "d-d"."""
    out = []
    prev = ""
    for ch in word:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if c != prev:
            out.append(c)
            prev = c
    return "".join(out)


def word_features(word: str) -> WordFeatures:
    """(own features, features seen from -2, -1, +1, +2) for one word.

    Its own features start "b", "w=<lower>", "s=<shape>"; "T" among them marks a
    capitalised word (a sentence's first gets BOS_TITLE then)."""
    word = word.translate(_APOSTROPHES)
    low = word.lower()
    shp = shape(word)
    is_title = word[:1].isupper() and (len(word) == 1 or not word[1:].isupper())
    is_upper = word.isupper() and len(word) > 1
    alpha = any(c.isalpha() for c in word)
    own = ["b", "w=" + low, "s=" + shp, "ls=" + low[:1] + shp]
    n = len(low)
    for k in (1, 2, 3, 4):
        if n > k:
            own.append(f"p{k}={low[:k]}")
            own.append(f"x{k}={low[-k:]}")
    if is_title:
        own.append("T")
    if is_upper:
        own.append("U")
        own.append(f"ul={len(word) if len(word) < 6 else 6}")
    if any(c.isdigit() for c in word):
        own.append("D")
    if "-" in word and alpha:
        own.append("H")
    if not alpha and not any(c.isdigit() for c in word):
        own.append("P")
    if "." in word and alpha:
        own.append("dot")
    cluster = load_clusters().get(low)
    groups = cluster_features(cluster) if cluster else []
    own += groups
    listed = ["g" + flag for flag in load_gazetteer().get(lookup_key(word), ())]
    own += listed
    near = ["w=" + low, "s=" + shp] + groups + listed
    if is_title:
        near.append("T")
    if is_upper:
        near.append("U")
    far = ["w=" + low, "s=" + shp] + [f for f in groups if f.startswith(("c=", "d="))] + listed
    return (
        own,
        ["-2" + f for f in far],
        ["-1" + f for f in near],
        ["+1" + f for f in near],
        ["+2" + f for f in far],
    )


def cluster_features(cluster: tuple[str, ...]) -> list[str]:
    """A word's cluster features: coarse and fine ids and the lowercase-use bucket, then the
    coarse, fine and finest ids of a second clustering when the file has one (an empty id:
    none)."""
    names = ("c=", "cf=", "lc=", "d=", "df=", "dx=")
    return [name + value for name, value in zip(names, cluster, strict=False) if value]


def pair_features(left: list[str], right: list[str]) -> tuple[list[str], list[str]]:
    """Bigram features two neighbouring words give (the left one, the right one).

    `left` and `right` start as the words' own features do (`word_features(...)[0]`)."""
    words = left[1][2:] + "|" + right[1][2:]  # pair_attributes reads these back
    shapes = left[2][2:] + "|" + right[2][2:]
    return ["bg+" + words, "sg+" + shapes], ["bg-" + words, "sg-" + shapes]


def pair_attributes(names: Iterable[str]) -> dict[str, dict[tuple[str, str], tuple[str, str]]]:
    """The model's bigram attributes by family ("bg" words, "sg" shapes) and word pair.

    Each value is the (left word's, right word's) attribute name, "" where the model
    lacks one: the inverse of `pair_features`, so a pair's weights are found without
    building its strings. A name with more than one "|" is filed under every split.
    """
    out: dict[str, dict[tuple[str, str], tuple[str, str]]] = {"bg": {}, "sg": {}}
    for name in names:
        family, side = name[:2], name[2:3]
        if family not in out or side not in ("+", "-") or "|" not in name:
            continue
        rest = name[3:]
        for cut in (i for i, ch in enumerate(rest) if ch == "|"):
            key = (rest[:cut], rest[cut + 1 :])
            left, right = out[family].get(key, ("", ""))
            out[family][key] = (name, right) if side == "+" else (left, name)
    return out


def _lookup(word: str) -> WordFeatures:
    feats = _cache.get(word)
    if feats is None:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        feats = _cache[word] = word_features(word)
    return feats


def sentence_features(words: list[str]) -> list[list[str]]:
    """One list of string features per word (pycrfsuite's attribute format)."""
    per_word = [_lookup(w) for w in words]
    n = len(words)
    out = []
    for i, feats in enumerate(per_word):
        row = feats[0].copy()
        if i == 0:
            row.append(BOS)
            if "T" in feats[0]:
                row.append(BOS_TITLE)  # capitalised only by position: "Simultaneously", "As"
        else:
            row.extend(per_word[i - 1][2])
            row.extend(pair_features(per_word[i - 1][0], feats[0])[1])
            if i > 1:
                row.extend(per_word[i - 2][1])
        if i == n - 1:
            row.append(EOS)
        else:
            row.extend(per_word[i + 1][3])
            row.extend(pair_features(feats[0], per_word[i + 1][0])[0])
            if i < n - 2:
                row.extend(per_word[i + 2][4])
        out.append(row)
    return out


def tagger_features(sentences: list[list[str]]) -> list[list[list[str]]]:
    """Every feature string of each token of one document's sentences: its sentence's
    (`sentence_features`) and its document's (`document_features`)."""
    return [
        [row + list(extra) for row, extra in zip(sentence_features(words), doc, strict=True)]
        for words, doc in zip(sentences, document_features(sentences), strict=True)
    ]
