"""CRF features for a sentence of tokens (no POS tags: raw text has none).

Feature extraction in Python dominates tagging time, so each distinct word's
features -- its own and the prefixed copies its neighbours use -- are computed
once per process and cached; a sentence is then a few list concatenations.
Training and tagging share this module, so the two can never drift apart.
"""

from __future__ import annotations

import re

from index.entities.clusters import load_clusters

_CACHE_LIMIT = 300_000  # distinct words; a cleared cache only costs speed
_cache: dict[str, tuple[list[str], list[str], list[str], list[str], list[str]]] = {}

_SHAPE_UPPER = re.compile(r"[^\W\d_]", re.UNICODE)
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


def _word_features(word: str) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """(own features, features seen from -2, -1, +1, +2) for one word."""
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
    if cluster:
        own.append("c=" + cluster[0])
        own.append("cf=" + cluster[1])
        own.append("lc=" + cluster[2])
    near = ["w=" + low, "s=" + shp]
    if cluster:
        near.append("c=" + cluster[0])
        near.append("cf=" + cluster[1])
        near.append("lc=" + cluster[2])
    if is_title:
        near.append("T")
    if is_upper:
        near.append("U")
    far = ["w=" + low, "s=" + shp]
    if cluster:
        far.append("c=" + cluster[0])
    return (
        own,
        ["-2" + f for f in far],
        ["-1" + f for f in near],
        ["+1" + f for f in near],
        ["+2" + f for f in far],
    )


def _lookup(word: str) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    feats = _cache.get(word)
    if feats is None:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        feats = _cache[word] = _word_features(word)
    return feats


def sentence_features(words: list[str]) -> list[list[str]]:
    """One list of string features per word (pycrfsuite's attribute format)."""
    per_word = [_lookup(w) for w in words]
    n = len(words)
    lows = [f[0][1] for f in per_word]  # "w=<lower>"
    shapes = [f[0][2] for f in per_word]  # "s=<shape>"
    out = []
    for i, feats in enumerate(per_word):
        row = feats[0].copy()
        if i == 0:
            row.append("BOS")
            if "T" in feats[0]:
                row.append("BOS_T")  # capitalised only by position: "Simultaneously", "As"
        else:
            row.extend(per_word[i - 1][2])
            row.append("bg-" + lows[i - 1][2:] + "|" + lows[i][2:])
            row.append("sg-" + shapes[i - 1][2:] + "|" + shapes[i][2:])
            if i > 1:
                row.extend(per_word[i - 2][1])
        if i == n - 1:
            row.append("EOS")
        else:
            row.extend(per_word[i + 1][3])
            row.append("bg+" + lows[i][2:] + "|" + lows[i + 1][2:])
            row.append("sg+" + shapes[i][2:] + "|" + shapes[i + 1][2:])
            if i < n - 2:
                row.extend(per_word[i + 2][4])
        out.append(row)
    return out
