"""Per-token CRF state scores, summed once per distinct word.

A token's features (`index.entities.features`) are its word's own, copies its
neighbours' words lend it, the bigrams it forms with them and the sentence
edges. The word parts' weights depend on one word only, so their sums are kept
here, once per process; a bigram's weights are found by the pair of words
without building its strings. A sentence's scores are then a few array
additions instead of ~45 feature lookups per token.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from index.entities.crf import CrfModel
from index.entities.features import (
    BOS,
    BOS_TITLE,
    EOS,
    pair_attributes,
    word_features,
)

WORD_LIMIT = 100_000  # distinct words kept (5 × 9 floats each); a reset only costs speed


class Scorer:
    """State scores for sentences of words under one model (one per tagger)."""

    def __init__(self, model: CrfModel) -> None:
        self.model = model
        state, row = model.state, model.row
        self._bos = state[row(BOS)]
        self._bos_title = state[row(BOS_TITLE)] + self._bos
        self._eos = state[row(EOS)]
        self._pairs = {
            family: {key: (row(left), row(right)) for key, (left, right) in table.items()}
            for family, table in pair_attributes(model.rows).items()
        }
        self._none = (model.unknown, model.unknown)
        self._reset()

    def _reset(self) -> None:
        self._ids: dict[str, int] = {}
        self._low: list[str] = []
        self._shape: list[str] = []
        self._title: list[bool] = []
        # Per word: summed weights of its own features and of those seen from -2, -1, +1, +2.
        self._table = np.zeros((1024, 5, len(self.model.labels)))

    def _words(self, sentences: list[list[str]]) -> list[list[int]]:
        """Each word's row of the table; new words' rows are summed together, in one go."""
        if len(self._ids) >= WORD_LIMIT:  # between texts: ids stay valid within one
            self._reset()
        known = self._ids
        new: dict[str, int] = {}

        def add(word: str) -> int:
            wid = known[word] = len(known)
            new[word] = wid
            return wid

        get = known.get
        ids = [[i if (i := get(w)) is not None else add(w) for w in words] for words in sentences]
        if new:
            self._add(new)
        return ids

    def _add(self, new: dict[str, int]) -> None:
        rows, unknown = self.model.rows, self.model.unknown
        flat: list[int] = []
        offsets: list[int] = []
        for word in new:
            parts = word_features(word)
            own = parts[0]
            self._low.append(own[1][2:])  # "w=<lower>"
            self._shape.append(own[2][2:])  # "s=<shape>"
            self._title.append("T" in own)
            for feats in parts:
                offsets.append(len(flat))
                flat.extend(rows.get(f, unknown) for f in feats)
        while len(self._table) < len(self._low):
            self._table = np.concatenate([self._table, np.zeros_like(self._table)])
        sums = np.add.reduceat(self.model.state[flat], offsets)
        first = len(self._low) - len(new)
        self._table[first : len(self._low)] = sums.reshape(len(new), 5, -1)

    def scores(self, sentences: list[list[str]]) -> np.ndarray:
        """State scores of every token of the (non-empty) sentences, concatenated."""
        ids = self._words(sentences)
        flat = np.fromiter((w for wids in ids for w in wids), dtype=np.intp)
        lengths = np.fromiter((len(wids) for wids in ids), dtype=np.intp)
        parts = self._table[flat]
        out = parts[:, 0].copy()
        ends = np.cumsum(lengths)
        starts = ends - lengths
        pos = np.arange(len(flat)) - np.repeat(starts, lengths)
        left = np.repeat(lengths, lengths) - pos - 1  # tokens after this one in its sentence
        for gap, lend, seen in ((1, 2, 3), (2, 1, 4)):
            after = np.flatnonzero(pos >= gap)  # tokens with a word `gap` before them
            out[after] += parts[after - gap, lend]
            before = np.flatnonzero(left >= gap)
            out[before] += parts[before + gap, seen]
        second = np.flatnonzero(pos >= 1)
        if len(second):
            none = self._none
            rows = []
            for family, strings in (("bg", self._low), ("sg", self._shape)):
                get = self._pairs[family].get
                rows.extend(
                    get((strings[a], strings[b]), none) for wids in ids for a, b in pairwise(wids)
                )
            rows = np.array(rows, dtype=np.intp).reshape(2, -1, 2)
            state = self.model.state
            out[second - 1] += state[rows[0, :, 0]] + state[rows[1, :, 0]]
            out[second] += state[rows[0, :, 1]] + state[rows[1, :, 1]]
        titled = np.array([self._title[wids[0]] for wids in ids])
        out[starts] += np.where(titled[:, None], self._bos_title, self._bos)
        out[ends - 1] += self._eos
        return out
