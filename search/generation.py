"""Arrays for one committed generation of the index, built once per searcher.

Doc numbers are only stable within one reader generation (merges renumber),
so everything here is keyed by the searcher it was built from: live-docs
mask, dates, field lengths, id order (for tie-breaking) and the facet tables
of (doc, value ordinal) pairs that make exact disjunctive facet counts a
couple of `np.bincount` calls.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from whoosh.util.numeric import byte_to_length

from search import codec
from search.analysis import fold_value
from search.languages import ANALYSED
from search.postings import PostingCache
from search.ranking import FIELD_B, SETTINGS, Settings, idf, term_weight
from search.schema import (
    ENTITY_FIELDS,
    FACET_FIELDS,
    OTHER_SCRIPT_FIELD,
    TEXT_FIELDS,
    unpack_record,
)
from search.scripts import display_spelling, spans_scripts

SCORED_FIELDS = TEXT_FIELDS + ENTITY_FIELDS + (OTHER_SCRIPT_FIELD,)
_MISSING_DATE = 2**64 - 1  # what a sortable DATETIME column holds for "no value"
DF_CACHE = 200_000  # (field, term) document frequencies kept per generation (feedback)
# Articles' records kept per generation, most recent first: a question's feedback reads its
# first results, which its page then shows (three in four of them the same).
RECORD_CACHE = 32
_BYTE_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)


@dataclass
class FacetTable:
    """One facet field: folded values by ordinal, display spellings, and (doc, ordinal) pairs."""

    name: str
    values: list[str]
    index: dict[str, int]
    display: list[str]
    docs: np.ndarray
    ords: np.ndarray
    # Ordinal -> {spelling: articles} for values spelled in more than one script.
    scripts: dict[int, dict[str, int]] = field(default_factory=dict)
    _tokens: dict[str, list[int]] | None = field(default=None, repr=False)
    _words: list[str] | None = field(default=None, repr=False)

    def _word_index(self) -> dict[str, list[int]]:
        if self._tokens is None:
            tokens: dict[str, list[int]] = {}
            for i, value in enumerate(self.values):
                for word in set(value.split()):
                    tokens.setdefault(word, []).append(i)
            for i, spelled in self.scripts.items():  # `person:путин` finds Vladimir Putin
                words = {w for s in spelled for w in fold_value(s).split()}
                for word in words - set(self.values[i].split()):
                    tokens.setdefault(word, []).append(i)
            self._tokens = tokens
        return self._tokens

    def ordinals_with_words(self, words: list[str]) -> list[int]:
        """Ordinals of values containing every word (for `person:putin` style queries)."""
        tokens = self._word_index()
        found: set[int] | None = None
        for word in words:
            ords = set(tokens.get(word, ()))
            found = ords if found is None else found & ords
        return sorted(found or ())

    def shown(self, ordinal: int, language: str | None) -> str:
        """The value as a page in `language` shows it: in that language's script when
        articles spell it so ("Владимир Путин" on a Russian page), else `display`."""
        spelled = self.scripts.get(ordinal)
        return display_spelling(spelled, language) if spelled else self.display[ordinal]

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Documents in `mask` holding each value (one bincount over the (doc, value) pairs)."""
        if not len(self.values):
            return np.zeros(0, dtype=np.int64)
        return np.bincount(self.ords[mask[self.docs]], minlength=len(self.values))

    def ordinals_with_word_prefix(self, prefix: str, limit: int) -> list[int]:
        """Up to `limit` ordinals of values with a word starting with `prefix`, most used first
        ("lukash" finds Alexander Lukashenka)."""
        tokens = self._word_index()
        if self._words is None:
            self._words = sorted(tokens)
        lo = bisect_left(self._words, prefix)
        hi = bisect_left(self._words, prefix + "\U0010ffff", lo)
        found = {o for word in self._words[lo:hi] for o in tokens[word]}
        if len(found) <= limit:
            return sorted(found)
        counts = np.bincount(self.ords, minlength=len(self.values))
        return sorted(sorted(found, key=lambda o: (-int(counts[o]), o))[:limit])

    def doc_mask(self, ordinals: list[int], n: int) -> np.ndarray:
        """Documents holding any of the given values."""
        mask = np.zeros(n, dtype=bool)
        if ordinals:
            wanted = np.zeros(len(self.values), dtype=bool)
            wanted[ordinals] = True
            mask[self.docs[wanted[self.ords]]] = True
        return mask


class Generation:
    """Everything the fast path needs about one searcher's view of the index."""

    def __init__(
        self, searcher: Any, posting_cache_bytes: int = 64 << 20, settings: Settings = SETTINGS
    ):
        self.searcher = searcher
        self.settings = settings
        self._field_weights = settings.field_weights
        reader = searcher.reader()
        self.generation: int = reader.generation() if reader.generation() is not None else -1
        self.leaves: list[tuple[Any, int]] = list(reader.leaf_readers())
        self.n = reader.doc_count_all()
        self.doc_count = reader.doc_count()
        self.postings = PostingCache(self.leaves, posting_cache_bytes)
        # Docs matching a phrase (field, terms): alias spellings like "united states" recur.
        self.phrase_docs: OrderedDict[tuple[str, tuple[str, ...]], np.ndarray] = OrderedDict()
        self.suggester: Any = None  # built on the first suggestion request of this generation
        self._doc_frequencies: dict[tuple[str, str], int] = {}
        self._records: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self.live = self._live()
        self.dates, self.dated = self._dates()
        self.lengths = {name: self._lengths(name) for name in SCORED_FIELDS}
        self.avg_length = {
            name: (searcher.field_length(name) / (self.doc_count or 1)) or 1.0
            for name in SCORED_FIELDS
        }
        # BM25's K1 x length normalisation per doc and field (FIELD_B per field, else B).
        self._k1_norm: dict[str, np.ndarray] = {}
        k1 = settings.k1
        for name in SCORED_FIELDS:
            b = FIELD_B.get(name, settings.b)
            self._k1_norm[name] = k1 * ((1 - b) + b * self.lengths[name] / self.avg_length[name])
        self.id_rank = self._id_rank()
        self.order_newest = _positions(np.lexsort((self.id_rank, self.date_key(True))))
        self.order_oldest = _positions(np.lexsort((self.id_rank, self.date_key(False))))
        spellings: dict[str, dict[str, dict[str, int]]] = {}
        for (kind, folded), counts in spelling_counts(self.leaves).items():
            spellings.setdefault(kind, {})[folded] = counts
        self.facets = {name: self._facet(name, spellings.get(name, {})) for name in FACET_FIELDS}
        self.languages = self._languages()
        # Docs in a language without its own analysis (words folded, unstemmed), or None.
        self.neutral: np.ndarray | None = None
        for code, docs in self.languages.items():
            if code not in ANALYSED:
                if self.neutral is None:
                    self.neutral = np.zeros(self.n, dtype=bool)
                self.neutral[docs] = True

    def term_scores(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(doc ids, scores) of one term in one field: Whoosh's BM25F x the field's weight
        x term_weight(df, N), df counting deleted documents as stock idf does. Kept in the
        posting cache (read-only arrays): feedback asks again for words other questions used."""
        return self.postings.scored(fieldname, term, partial(self._scores, fieldname))

    def _scores(self, fieldname: str, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        w = weights.astype(np.float64)
        if not len(ids):
            return w
        df = len(ids)
        floor = self.settings.idf_floor
        scale = idf(df, self.n) * self._field_weights.get(fieldname, 1.0)
        scale *= term_weight(df, self.n, floor)
        # (scale * (K1 + 1)) * w / (w + norm), in place: the same operations on the same values
        norm = self._k1_norm[fieldname][ids]
        norm += w
        w *= scale * (self.settings.k1 + 1)
        w /= norm
        return w

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """Documents holding `term` in `fieldname`, deleted ones too (as stock idf counts):
        the length of its postings when the query has just read them, else a lexicon lookup
        per segment, cached (feedback and did-you-mean ask for hundreds per query)."""
        key = (fieldname, term)
        found = self._doc_frequencies.get(key)
        if found is None:
            postings = self.postings.peek(fieldname, term)
            if postings is not None:
                return len(postings[0])
            if len(self._doc_frequencies) >= DF_CACHE:
                self._doc_frequencies.clear()
            found = self._doc_frequencies[key] = self.postings.doc_frequency(fieldname, term)
        return found

    def record(self, doc: int) -> dict[str, Any]:
        """The stored article record of a doc number (shared: read it, never change it)."""
        found = self._records.get(doc)
        if found is None:
            found = self._records[doc] = unpack_record(self.searcher.stored_fields(doc)["record"])
            if len(self._records) > RECORD_CACHE:
                self._records.popitem(last=False)
        else:
            self._records.move_to_end(doc)
        return found

    def _live(self) -> np.ndarray:
        live = np.ones(self.n, dtype=bool)
        for leaf, base in self.leaves:
            live[codec.deleted_docs(leaf) + base] = False
        return live

    def _dates(self) -> tuple[np.ndarray, np.ndarray]:
        """Microseconds (Whoosh's datetime_to_long) per doc, and which docs have a date."""
        raw = np.full(self.n, _MISSING_DATE, dtype=np.uint64)
        column = self.searcher.schema["date"].column_type
        for leaf, base in self.leaves:
            data, count = codec.column_bytes(leaf, "date", column)
            if count:
                raw[base : base + count] = np.frombuffer(data, dtype=">u8")
        dated = raw != _MISSING_DATE
        return np.where(dated, raw, 0).astype(np.int64), dated

    def _lengths(self, fieldname: str) -> np.ndarray:
        """Byte-quantised field lengths, decoded as stock BM25F sees them."""
        lengths = np.zeros(self.n, dtype=np.uint8)
        for leaf, base in self.leaves:
            data, count = codec.length_bytes(leaf, fieldname)
            if count:
                lengths[base : base + count] = np.frombuffer(data, dtype=np.uint8)
        return _BYTE_LENGTHS[lengths]

    def _id_rank(self) -> np.ndarray:
        """Each doc's position in id order: the last tie-breaker, stable across pages."""
        pairs: list[tuple[str, int]] = []
        for leaf, base in self.leaves:
            for text, info in codec.field_terms(leaf, "id"):
                if info.doc_frequency() == 1:
                    pairs.append((text, info.min_id() + base))
                else:
                    ids, _ = codec.decode_info(leaf, info)
                    pairs.extend((text, int(d) + base) for d in ids)
        pairs.sort()
        rank = np.zeros(self.n, dtype=np.int64)
        if pairs:
            docs = np.fromiter((d for _, d in pairs), dtype=np.int64, count=len(pairs))
            rank[docs] = np.arange(len(pairs))
        return rank

    def _languages(self) -> dict[str, np.ndarray]:
        """Language code -> doc numbers of the articles in it (deleted ones too)."""
        parts: dict[str, list[np.ndarray]] = {}
        for leaf, base in self.leaves:
            for text, info in codec.field_terms(leaf, "language"):
                ids, _ = codec.decode_info(leaf, info)
                parts.setdefault(text, []).append(ids.astype(np.int64) + base)
        return {code: np.concatenate(ids) for code, ids in parts.items()}

    def _facet(self, name: str, spellings: dict[str, dict[str, int]]) -> FacetTable:
        """`spellings`: folded value -> {display spelling: articles}."""
        per_value: dict[str, list[np.ndarray]] = {}
        for leaf, base in self.leaves:
            for text, info in codec.field_terms(leaf, name):
                ids, _ = codec.decode_info(leaf, info)
                per_value.setdefault(text, []).append(ids.astype(np.int32) + base)
        values = sorted(per_value)
        doc_parts, ord_parts = [], []
        for i, value in enumerate(values):
            for ids in per_value[value]:
                doc_parts.append(ids)
                ord_parts.append(np.full(len(ids), i, dtype=np.int32))
        docs = np.concatenate(doc_parts) if doc_parts else np.zeros(0, dtype=np.int32)
        ords = np.concatenate(ord_parts) if ord_parts else np.zeros(0, dtype=np.int32)
        index = {v: i for i, v in enumerate(values)}
        scripts: dict[int, dict[str, int]] = {}
        for i, value in enumerate(values):
            spelled = spellings.get(value, {})
            if spans_scripts(spelled):
                scripts[i] = spelled
                for other in spelled:  # a filter or link may use either spelling (the
                    index[fold_value(other)] = i  # value it had alone is an old article's)
        return FacetTable(
            name=name,
            values=values,
            index=index,
            display=[display_spelling(spellings[v]) if v in spellings else v for v in values],
            docs=docs,
            ords=ords,
            scripts=scripts,
        )

    def date_key(self, newest_first: bool) -> np.ndarray:
        """Sort key (ascending = wanted order) with undated docs last in either order."""
        big = np.iinfo(np.int64).max
        if newest_first:
            return np.where(self.dated, -self.dates, big)
        return np.where(self.dated, self.dates, big)


def spelling_counts(leaves: list[tuple[Any, int]]) -> dict[tuple[str, str], dict[str, int]]:
    """(kind, folded value) -> {display spelling: articles}, from the `spelling` lexicon."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for leaf, _ in leaves:
        for text, info in codec.field_terms(leaf, "spelling"):
            parts = text.split("\t")
            if len(parts) != 3:
                continue
            kind, folded, display = parts
            spelled = counts.setdefault((kind, folded), {})
            spelled[display] = spelled.get(display, 0) + info.doc_frequency()
    return counts


def _positions(order: np.ndarray) -> np.ndarray:
    """Inverse permutation: each doc's place in `order` (a unique, total sort key)."""
    positions = np.empty(len(order), dtype=np.int64)
    positions[order] = np.arange(len(order))
    return positions
