"""A crfsuite model's weights as arrays, and Viterbi decoding over them in numpy.

pycrfsuite's tagger spends most of its time turning every token's ~45 feature
strings into attribute ids. With the weights as arrays, a word's summed
weights can be cached once (`index.entities.scores`), so tagging a token is a
few array additions. The model file is crfsuite's own ("lCRF"/"FOMC", written
by `index.entities.train`), read exactly: the same weights, the same best path.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

_HEADER = struct.Struct("<4sI4sIIIIIIIII")  # crf1d_model.c: magic .. off_attrrefs
_CHUNK = struct.Struct("<4sII")  # "FEAT", chunk size, feature count
_FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])
_CQDB = struct.Struct("<4sIIIII")  # "CQDB", size, flag, byte order, backward size, offset
_RECORD = struct.Struct("<II")  # id, key size (with its NUL)
_STATE, _TRANSITION = 0, 1


def positions(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each sentence's first token, each token's place in its sentence) of sentences laid
    end to end with these lengths."""
    starts = np.cumsum(lengths) - lengths
    return starts, np.arange(int(lengths.sum())) - np.repeat(starts, lengths)


def _side_by_side(lengths: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sentences laid out in columns, longest first, to be stepped through together: (each
    column's sentence, the columns' lengths, each token's step and column, in input order)."""
    sizes = np.array(lengths, dtype=np.intp)
    order = np.argsort(-sizes, kind="stable")
    column = np.empty_like(order)
    column[order] = np.arange(len(order))
    return order, sizes[order], positions(sizes)[1], np.repeat(column, sizes)


class ModelError(ValueError):
    """The file is not a crfsuite CRF1d model this reader understands."""


class CrfModel:
    """Labels, attribute rows, state weights and transitions of one model file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        data = self.path.read_bytes()
        try:
            head = _HEADER.unpack_from(data, 0)
        except struct.error as exc:
            raise ModelError(f"{self.path}: not a crfsuite model ({exc})") from None
        magic, _, kind, _, _, n_labels, n_attrs, off_feat, off_labels, off_attrs = head[:10]
        if magic != b"lCRF" or kind != b"FOMC":
            raise ModelError(f"{self.path}: not a crfsuite CRF1d model ({magic!r}, {kind!r})")
        self.labels = _strings(data, off_labels, self.path)
        attrs = _strings(data, off_attrs, self.path)
        if len(self.labels) != n_labels or len(attrs) != n_attrs:
            raise ModelError(f"{self.path}: header and dictionaries disagree")
        chunk, _, count = _CHUNK.unpack_from(data, off_feat)
        if chunk != b"FEAT":
            raise ModelError(f"{self.path}: no feature chunk at offset {off_feat}")
        feats = np.frombuffer(data, dtype=_FEATURE, count=count, offset=off_feat + _CHUNK.size)
        self.rows = {name: i for i, name in enumerate(attrs)}
        self.unknown = n_attrs  # the all-zero row: an attribute the model never saw
        self.state = np.zeros((n_attrs + 1, n_labels))
        self.transitions = np.zeros((n_labels, n_labels))
        state = feats[feats["type"] == _STATE]
        trans = feats[feats["type"] == _TRANSITION]
        self.state[state["src"], state["dst"]] = state["weight"]
        self.transitions[trans["src"], trans["dst"]] = trans["weight"]
        self._into = np.ascontiguousarray(self.transitions.T)

    def row(self, attribute: str) -> int:
        """The attribute's row of `state` (the zero row when the model does not know it)."""
        return self.rows.get(attribute, self.unknown)

    def viterbi(self, scores: np.ndarray, lengths: list[int]) -> list[list[str]]:
        """Best label path of each sentence; `scores` holds their tokens' state scores in order.

        All sentences advance together, longest first, so a step is a handful of array
        operations whatever their number. Ties go to the lowest label id, as in crfsuite.
        """
        if not lengths:
            return []
        order, sizes_sorted, steps, columns = _side_by_side(lengths)
        longest = int(sizes_sorted[0])
        count, size = len(order), len(self.labels)
        padded = np.zeros((longest, count, size))
        padded[steps, columns] = scores
        forward = padded[0].copy()
        back = np.zeros((longest, count, size), dtype=np.intp)
        into = self._into  # into[j, i]: the transition i -> j, so steps reduce the last axis
        # Each candidate's flat index in a step's (k, size, size) block: the best ones are
        # picked by argmax and taken, cheaper than a second reduction with max.
        flat = np.arange(0, count * size * size, size).reshape(count, size)
        edges = [*sizes_sorted.tolist(), 1]
        for k in range(count, 0, -1):  # steps first..stop-1 advance the k longest sentences
            first, stop = max(edges[k], 1), edges[k - 1]
            if first >= stop:
                continue
            now, previous, cells = forward[:k], forward[:k, None, :], flat[:k]
            back_k, padded_k = back[:, :k], padded[:, :k]
            for t in range(first, stop):
                candidates = previous + into
                best = back_k[t]
                candidates.argmax(axis=2, out=best)
                np.add(candidates.take(best + cells), padded_k[t], out=now)
        ends = forward.argmax(axis=1).tolist()  # a column stops changing after its sentence
        pointers = memoryview(back.reshape(-1))  # read one by one: cheaper than tolist()
        stride = count * size
        labels = self.labels
        out: list[list[str]] = [[] for _ in lengths]
        for col, s in enumerate(order.tolist()):
            label = ends[col]
            path = [label]
            at = col * size
            for t in range(lengths[s] - 1, 0, -1):
                label = pointers[t * stride + at + label]
                path.append(label)
            out[s] = [labels[i] for i in reversed(path)]
        return out

    def marginals(self, scores: np.ndarray, lengths: list[int]) -> np.ndarray:
        """Each token's probability of each label (rows in `scores`' order), by the
        forward-backward algorithm: how sure the model is, where `viterbi` only says what is
        best. All sentences step together, longest first, as in `viterbi`. A token's forward
        and backward vectors may each be scaled by any factor (its row is normalised at the
        end), so they are rescaled only every fourth step: four steps overflow only with
        transition weights over 170 (the shipped model's largest is about 12)."""
        if not lengths:
            return np.zeros((0, len(self.labels)))
        order, sizes_sorted, steps, columns = _side_by_side(lengths)
        longest = int(sizes_sorted[0])
        potentials = np.zeros((longest, len(order), len(self.labels)))
        potentials[steps, columns] = np.exp(scores - scores.max(axis=1, keepdims=True))
        edges = np.exp(self.transitions)
        running = np.searchsorted(-sizes_sorted, -np.arange(longest + 1), side="right").tolist()
        alpha = np.zeros_like(potentials)
        alpha[0] = potentials[0]
        for t in range(1, longest):
            k = running[t + 1]  # the sentences longer than t
            step = (alpha[t - 1, :k] @ edges) * potentials[t, :k]
            alpha[t, :k] = step if t % 4 else step / step.max(axis=1, keepdims=True)
        beta = np.ones_like(potentials)
        for t in range(longest - 2, -1, -1):
            k = running[t + 2]  # the sentences with a token after t
            step = (potentials[t + 1, :k] * beta[t + 1, :k]) @ edges.T
            beta[t, :k] = step if t % 4 else step / step.max(axis=1, keepdims=True)
        probs = (alpha * beta)[steps, columns]
        return probs / probs.sum(axis=1, keepdims=True)


def _strings(data: bytes, offset: int, path: Path) -> list[str]:
    """A CQDB chunk's keys by id, read from its backward array."""
    chunk, _size, _flag, _order, count, back = _CQDB.unpack_from(data, offset)
    if chunk != b"CQDB":
        raise ModelError(f"{path}: no string dictionary at offset {offset}")
    out = []
    for i, rel in enumerate(struct.unpack_from(f"<{count}I", data, offset + back)):
        rid, size = _RECORD.unpack_from(data, offset + rel)
        if rid != i:
            raise ModelError(f"{path}: dictionary record {i} has id {rid}")
        start = offset + rel + _RECORD.size
        out.append(data[start : start + size - 1].decode("utf-8"))
    return out
