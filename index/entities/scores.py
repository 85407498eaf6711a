"""Per-token CRF state scores, summed once per distinct word.

A token's features (`index.entities.features`) are its word's own, copies its
neighbours' words lend it, the bigrams it forms with them and the sentence
edges. The word parts' weights depend on one word only, so their sums are kept
here, once per process; the bigrams the model knows are found by the two words'
ids, in one array lookup per text. A sentence's scores are then a few array
additions instead of ~45 feature lookups per token. The features a token's document
gives it (`index.entities.document_features`) are added last, summed once per
distinct set.
"""

from __future__ import annotations

from itertools import chain, repeat

import numpy as np

from index.entities.crf import CrfModel, positions
from index.entities.features import BOS, BOS_TITLE, EOS, pair_attributes, word_features

WORD_LIMIT = 100_000  # distinct words kept (5 × 9 floats each); a reset only costs speed


class _Bigrams:
    """One family of the model's bigram attributes ("bg" words, "sg" shapes) as sorted codes.

    A word's id here is its string's place among the strings the family's attributes
    name (0: none), so a pair's code `left * size + right` is found by binary search.
    """

    def __init__(self, table: dict[tuple[str, str], tuple[str, str]], model: CrfModel) -> None:
        self.ids: dict[str, int] = {}
        for left, right in table:
            self.ids.setdefault(left, len(self.ids) + 1)
            self.ids.setdefault(right, len(self.ids) + 1)
        self.size = len(self.ids) + 1
        entries = sorted(
            (self.ids[a] * self.size + self.ids[b], model.row(x), model.row(y))
            for (a, b), (x, y) in table.items()
        )
        # Last, past every code: where a pair is not found, its rows are the zero row.
        entries.append((np.iinfo(np.int64).max, model.unknown, model.unknown))
        codes, of_left, of_right = zip(*entries, strict=True)
        self.codes = np.array(codes, dtype=np.int64)
        self.of_left = np.array(of_left, dtype=np.intp)  # row for the left word ("bg+...")
        self.of_right = np.array(of_right, dtype=np.intp)  # row for the right word ("bg-...")

    def rows(self, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Attribute rows (left word's, right word's) of each pair of family ids."""
        code = left.astype(np.int64) * self.size + right
        at = np.searchsorted(self.codes, code)
        at[self.codes[at] != code] = len(self.codes) - 1
        return self.of_left[at], self.of_right[at]


class Scorer:
    """State scores for sentences of words under one model (one per tagger)."""

    def __init__(self, model: CrfModel) -> None:
        self.model = model
        state, row = model.state, model.row
        self._bos = state[row(BOS)]
        self._bos_title = state[row(BOS_TITLE)] + self._bos
        self._eos = state[row(EOS)]
        tables = pair_attributes(model.rows)
        self._words_family, self._shapes_family = (
            _Bigrams(tables["bg"], model),
            _Bigrams(tables["sg"], model),
        )
        self._reset()

    def _reset(self) -> None:
        self._ids: dict[str, int] = {}
        self._title: list[bool] = []
        # Per word: summed weights of its own features and of those seen from -2, -1, +1, +2;
        # and its ids in the two bigram families.
        self._table = np.zeros((1024, 5, len(self.model.labels)))
        self._pair_ids = np.zeros((1024, 2), dtype=np.intp)
        self._extra_sums: dict[tuple[str, ...], np.ndarray] = {}

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
        get, unknown = self.model.rows.get, self.model.unknown
        words, shapes = self._words_family.ids, self._shapes_family.ids
        feats: list[str] = []
        offsets: list[int] = []
        pair_ids: list[tuple[int, int]] = []
        for word in new:
            parts = word_features(word)
            own = parts[0]
            self._title.append("T" in own)
            pair_ids.append((words.get(own[1][2:], 0), shapes.get(own[2][2:], 0)))
            for part in parts:
                offsets.append(len(feats))
                feats += part
        count = len(self._title)
        while len(self._table) < count:
            self._table = np.concatenate([self._table, np.zeros_like(self._table)])
            self._pair_ids = np.concatenate([self._pair_ids, np.zeros_like(self._pair_ids)])
        first = count - len(new)
        rows = self.model.state[list(map(get, feats, repeat(unknown)))]
        self._table[first:count] = np.add.reduceat(rows, offsets).reshape(len(new), 5, -1)
        self._pair_ids[first:count] = pair_ids

    def scores(
        self, sentences: list[list[str]], extras: list[list[tuple[str, ...]]] | None = None
    ) -> np.ndarray:
        """State scores of every token of the (non-empty) sentences, concatenated; `extras`
        holds, per sentence and token, features of its own beyond its words' (the document's).

        Neighbours' parts and pairs are added by shifting whole arrays; where a shift
        crosses a sentence edge the part added is zero. Each token's terms are added in one fixed
        order, so its score does not depend on its neighbours' sentences."""
        ids = self._words(sentences)
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.intp)
        lengths = np.fromiter(map(len, ids), dtype=np.intp, count=len(ids))
        n = len(flat)
        starts, pos = positions(lengths)
        ends = starts + lengths
        rest = np.repeat(lengths, lengths) - pos - 1  # tokens after this one in its sentence
        parts = self._table[flat]
        out = parts[:, 0].copy()
        for gap, lend, seen in ((1, 2, 3), (2, 1, 4)):
            if n > gap:  # times 0 where the shift crosses a sentence edge
                out[gap:] += parts[:-gap, lend] * (pos[gap:, None] >= gap)
                out[:-gap] += parts[gap:, seen] * (rest[:-gap, None] >= gap)
        if n > 1:
            state = self.model.state
            pair_ids = self._pair_ids[flat]
            cut = starts[1:] - 1  # pairs that would cross into the next sentence
            for column, family in enumerate((self._words_family, self._shapes_family)):
                of_left, of_right = family.rows(pair_ids[:-1, column], pair_ids[1:, column])
                of_left[cut] = of_right[cut] = self.model.unknown  # its zero row
                out[:-1] += state[of_left]
                out[1:] += state[of_right]
        titled = np.array([self._title[wids[0]] for wids in ids])
        out[starts] += np.where(titled[:, None], self._bos_title, self._bos)
        out[ends - 1] += self._eos
        if extras:
            self._add_extras(out, extras)
        return out

    def _add_extras(self, out: np.ndarray, extras: list[list[tuple[str, ...]]]) -> None:
        """Add each token's own extra features' weights (those the model knows), summed once
        per distinct tuple of features: most tokens' are one of a few ("Dn=1",)."""
        get, unknown, sums = self.model.rows.get, self.model.unknown, self._extra_sums
        at: list[int] = []
        found: list[np.ndarray] = []
        for token, feats in enumerate(chain.from_iterable(extras)):
            if feats:
                total = sums.get(feats)
                if total is None:
                    if len(sums) >= WORD_LIMIT:
                        sums.clear()
                    rows = [row for f in feats if (row := get(f, unknown)) != unknown]
                    total = sums[feats] = self.model.state[rows].sum(axis=0)
                at.append(token)
                found.append(total)
        if at:
            out[at] += np.array(found)
