"""Evaluate a parsed query over one generation with numpy: exact matches and BM25F scores.

Every clause becomes a dense (mask, score) pair over all doc numbers, built from
decoded postings (search.postings); phrases use Whoosh's positional matchers.
A document matches when it satisfies at least `required_matches(n)` of the n
clauses (all of them for short queries), so long questions still find the
right articles. Scores are search.ranking's: per (term, field), the plain word's
query weight (`plan_query`; other clauses 1.0) x FIELD_WEIGHTS[field] x
term_weight(df, N) x Whoosh's BM25F (stored weights already carry the title
boost). Long questions get one round of pseudo-relevance feedback when ranked
by relevance (`top_docs`): it adds score, never matches. tests/test_engine.py
compares all of this with stock Whoosh running ranking.build_query.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.entities import AliasError
from index.entities import load_aliases as _load_aliases
from search import query as q
from search.analysis import analyze, fold_value
from search.generation import Generation
from search.limits import PARTIAL_EXPANSIONS, PARTIAL_SCAN
from search.ranking import (
    ALL_WORDS_UP_TO,
    FEEDBACK_DOCS,
    feedback_terms,
    plan_query,
    required_matches,
)
from search.schema import ENTITY_FIELDS, unpack_record

MAX_EXPANSIONS = 50  # terms one wildcard or fuzzy word may expand to (most frequent kept)
MAX_SCAN = 2000  # lexicon entries scanned per wildcard per segment
MAX_VARIANTS = 8  # alias spellings tried per word or span
MAX_SPAN = 4  # longest run of words looked up as one entity or alias
PHRASE_CACHE = 1024  # phrase doc sets kept per generation


class Deadline:
    """A per-query time budget, checked between units of work."""

    def __init__(self, seconds: float | None):
        self.end = time.monotonic() + seconds if seconds else None
        self.hit = False

    def expired(self) -> bool:
        if self.end is not None and time.monotonic() > self.end:
            self.hit = True
        return self.hit


@dataclass
class Evaluation:
    """What a query matched: the mask is live docs within the date ranges, before facet filters."""

    mask: np.ndarray
    scores: np.ndarray
    scored: bool
    terms: set[str] = field(default_factory=set)
    phrases: list[list[str]] = field(default_factory=list)
    timed_out: bool = False
    # A long question's plain words and weights, until top_docs has applied feedback.
    feedback: dict[str, float] | None = None


def load_aliases() -> Any | None:
    """The entity alias table, or None when the alias file is broken (searching goes on)."""
    try:
        return _load_aliases()
    except AliasError:
        return None


class Evaluator:
    """Turns one parsed query into an Evaluation over one Generation."""

    def __init__(self, gen: Generation, deadline: Deadline, aliases: Any | None = None):
        self.gen = gen
        self.n = gen.n
        self.deadline = deadline
        self.aliases = aliases
        self.terms: set[str] = set()

    # ---- scoring primitives ----

    def _add_term(self, mask: np.ndarray, score: np.ndarray, fieldname: str, term: str) -> None:
        ids, scores = self.gen.term_scores(fieldname, term)
        if len(ids):
            mask[ids] = True
            score[ids] += scores

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n, dtype=bool), np.zeros(self.n, dtype=np.float64)

    def _entity_values(self, mask, score, values: set[str], kinds=ENTITY_FIELDS) -> None:
        for kind in kinds:
            table = self.gen.facets[kind]
            for value in values:
                if value in table.index:
                    self._add_term(mask, score, kind, value)

    # ---- clauses ----

    def clause(self, clause: q.Clause) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(clause, q.AnyOf):
            mask, score = self._empty()
            for option in clause.options:
                m, s = self.clause(option)
                mask |= m
                score += s
            return mask, score
        if clause.field in q.VALUE_FIELDS:
            return self.value_clause(clause)
        if isinstance(clause, q.Phrase) or len(clause.terms) > 1:
            return self.phrase(clause.terms, clause.field)
        if clause.kind != "word":
            return self.expansion(clause)
        return self.word(clause)

    def _text_fields(self, fieldname: str | None) -> tuple[str, ...]:
        return (fieldname,) if fieldname in q.TEXT_FIELDS else q.TEXT_FIELDS

    def word(self, clause: q.Term) -> tuple[np.ndarray, np.ndarray]:
        """One word in title/body (or its field), its entity value, and its alias spellings."""
        term = clause.terms[0]
        self.terms.add(term)
        mask, score = self._empty()
        for name in self._text_fields(clause.field):
            self._add_term(mask, score, name, term)
        if clause.field is None:
            self._entity_values(mask, score, {fold_value(clause.text)})
            for variant in self._variants(clause.text):
                m, s = self.alternative(variant)
                mask |= m
                np.maximum(score, s, out=score)
        return mask, score

    def _variants(self, text: str) -> list[str]:
        if self.aliases is None:
            return []
        try:
            variants = self.aliases.variants(text)
        except Exception:
            return []
        own = fold_value(text)
        return [v for v in variants if fold_value(v) != own][:MAX_VARIANTS]

    def alternative(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Another spelling of an entity: its words (a phrase if several) and its entity value."""
        terms = analyze(text)
        mask, score = self._empty()
        if len(terms) == 1:
            self.terms.add(terms[0])
            for name in q.TEXT_FIELDS:
                self._add_term(mask, score, name, terms[0])
        elif terms and not self.deadline.expired():
            m, s = self.phrase(terms, None)
            mask |= m
            score += s
        self._entity_values(mask, score, {fold_value(text)})
        return mask, score

    def value_clause(self, clause: q.Term | q.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """`person:putin`: values containing every word, plus exact alias spellings."""
        table = self.gen.facets[clause.field]
        folded = fold_value(clause.text)
        if clause.field == "year":
            ordinals = [table.index[folded]] if folded in table.index else []
        else:
            ordinals = table.ordinals_with_words(folded.split())
            for variant in self._variants(clause.text):
                if fold_value(variant) in table.index:
                    ordinals.append(table.index[fold_value(variant)])
        self.terms.update(analyze(clause.text))
        mask, score = self._empty()
        for ordinal in sorted(set(ordinals)):
            if clause.field in self.gen.lengths:
                self._add_term(mask, score, clause.field, table.values[ordinal])
            else:
                mask |= table.doc_mask([ordinal], self.n)
        return mask, score

    def expansion(self, clause: q.Term) -> tuple[np.ndarray, np.ndarray]:
        """A wildcard or fuzzy word: the most frequent matching terms, best one scoring."""
        fields = self._text_fields(clause.field)
        found: dict[str, int] = {}
        for name in fields:
            for leaf, _ in self.gen.leaves:
                for term, frequency in self._expand(leaf, name, clause):
                    found[term] = found.get(term, 0) + frequency
        cap = PARTIAL_EXPANSIONS if clause.kind == "partial" else MAX_EXPANSIONS
        best = sorted(found, key=lambda t: (-found[t], t))[:cap]
        mask, score = self._empty()
        for term in best:
            if self.deadline.expired():
                break
            self.terms.add(term)
            m, s = self._empty()
            for name in fields:
                self._add_term(m, s, name, term)
            mask |= m
            np.maximum(score, s, out=score)
        if clause.kind == "partial" and clause.field is None:
            for kind in ENTITY_FIELDS:  # "lukash": the person Alexander Lukashenka
                table = self.gen.facets[kind]
                for ordinal in table.ordinals_with_word_prefix(clause.terms[0], cap):
                    self._add_term(mask, score, kind, table.values[ordinal])
        return mask, score

    def _expand(self, leaf: Any, fieldname: str, clause: q.Term) -> list[tuple[str, int]]:
        """(term, document frequency in this segment) for a wildcard's or fuzzy word's terms."""
        text = clause.terms[0]
        if clause.kind in q.PREFIX_KINDS:
            scan = PARTIAL_SCAN if clause.kind == "partial" else MAX_SCAN
            out = []
            # The lexicon entry holds the frequency: no second lookup per term.
            for btext, info in leaf.iter_prefix(fieldname, text):
                out.append((btext.decode("utf-8"), info.doc_frequency()))
                if len(out) >= scan:
                    break
            return out
        words = leaf.terms_within(fieldname, text, clause.distance, prefix=1)
        words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in words][:MAX_SCAN]
        return [(w, leaf.doc_frequency(fieldname, w)) for w in words]

    def phrase(self, terms: list[str], fieldname: str | None) -> tuple[np.ndarray, np.ndarray]:
        """Positional phrase in title/body via Whoosh matchers, on docs holding every word."""
        mask, score = self._empty()
        self.phrases.append(list(terms))
        for name in self._text_fields(fieldname):
            postings = [self.gen.term_scores(name, t) for t in terms]
            if any(not len(ids) for ids, _ in postings):
                continue
            hits = self._phrase_docs(name, terms)
            if not len(hits):
                continue
            mask[hits] = True
            for ids, scores in postings:
                inside = np.zeros(self.n, dtype=np.float64)
                inside[ids] = scores
                score[hits] += inside[hits]
        return mask, score

    def _phrase_docs(self, fieldname: str, terms: list[str]) -> np.ndarray:
        key = (fieldname, tuple(terms))
        cache = self.gen.phrase_docs
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        docs = self._match_phrase(fieldname, terms)
        if not self.deadline.hit:  # a partial answer is not cached
            cache[key] = docs
            if len(cache) > PHRASE_CACHE:
                cache.popitem(last=False)
        return docs

    def _match_phrase(self, fieldname: str, terms: list[str]) -> np.ndarray:
        query = q.phrase_query(fieldname, terms)
        found: list[int] = []
        for sub, base in self.gen.searcher.leaf_searchers():
            matcher = query.matcher(sub)
            steps = 0
            while matcher.is_active():
                found.append(matcher.id() + base)
                matcher.next()
                steps += 1
                if steps % 512 == 0 and self.deadline.expired():
                    return np.asarray(found, dtype=np.int64)
        return np.asarray(found, dtype=np.int64)

    # ---- the whole query ----

    phrases: list[list[str]]

    def evaluate(self, parsed: q.Query, date_mask: np.ndarray | None) -> Evaluation:
        self.phrases = []
        base = self.gen.live.copy()
        if date_mask is not None:
            base &= date_mask
        weights = word_weights(parsed)
        units = []
        for clause in parsed.positive:
            if self.deadline.expired():
                break
            mask, score = self.clause(clause)
            if _plain(clause):
                score *= weights[clause.terms[0]]
            units.append((mask, score))
        if not parsed.positive:
            mask, scores = base, np.zeros(self.n, dtype=np.float64)
        else:
            self._spans(parsed.positive, units)
            counts = np.zeros(self.n, dtype=np.int16)
            scores = np.zeros(self.n, dtype=np.float64)
            for unit_mask, unit_score in units:
                counts += unit_mask
                scores += unit_score
            mask = base & (counts >= required_matches(len(units))) if units else base & False
        for clause in parsed.negative:
            if self.deadline.expired():
                break
            mask &= ~self.clause(clause)[0]
        return Evaluation(
            mask=mask,
            scores=np.where(mask, scores, 0.0),
            scored=bool(parsed.positive),
            terms=q.highlight_terms(parsed, self.terms),
            phrases=self.phrases,
            timed_out=self.deadline.hit,
            feedback=weights if weights and len(units) > ALL_WORDS_UP_TO else None,
        )

    def _spans(self, clauses: list[q.Clause], units: list) -> None:
        """Runs of 2-4 plain words naming an entity (or an alias of one) satisfy each word."""
        plain = [isinstance(c, q.Term) and c.field is None and c.kind == "word" for c in clauses][
            : len(units)
        ]
        i = 0
        while i < len(plain):
            matched = 0
            for length in range(min(MAX_SPAN, len(plain) - i), 1, -1):
                if not all(plain[i : i + length]) or self.deadline.expired():
                    continue
                text = " ".join(c.text for c in clauses[i : i + length])
                m, s = self._span(text)
                if m.any():
                    for k in range(i, i + length):
                        units[k][0][:] |= m
                    units[i][1][:] += s
                    matched = length
                    break
            i += matched or 1

    def _span(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        mask, score = self._empty()
        self._entity_values(mask, score, {fold_value(text)})
        for variant in self._variants(text):
            m, s = self.alternative(variant)
            mask |= m
            np.maximum(score, s, out=score)
        return mask, score


def evaluate(
    gen: Generation,
    parsed: q.Query,
    date_mask: np.ndarray | None = None,
    deadline: Deadline | None = None,
    aliases: Any | None = None,
) -> Evaluation:
    """Match and score `parsed` over `gen` (see Evaluator)."""
    return Evaluator(gen, deadline or Deadline(None), aliases).evaluate(parsed, date_mask)


def _plain(clause: q.Clause) -> bool:
    return isinstance(clause, q.Term) and clause.kind == "word" and clause.field is None


def word_weights(parsed: q.Query) -> dict[str, float]:
    """The query weight of each plain word (ranking.plan_query over the query's text, so
    a repeated word counts more); phrases, fields, wildcards... are not plain words."""
    planned = plan_query(parsed.text).weights
    plain = [c.terms[0] for c in parsed.positive if _plain(c)]
    return {t: planned.get(t, 1.0) for t in plain}


def feedback(gen: Generation, ev: Evaluation, mask: np.ndarray) -> None:
    """One round of pseudo-relevance feedback for a long question, in place: the words
    ranking.feedback_terms picks from the first FEEDBACK_DOCS of `mask` (ranked by the
    first pass) add their weight x title and body scores to the documents the query
    matched. Which documents match, and so totals and facets, are unchanged."""
    weights, ev.feedback = ev.feedback, None
    if not weights or ev.timed_out:
        return
    docs = []
    for doc in _ranked(gen, ev, mask, "relevance", 0, FEEDBACK_DOCS):
        record = unpack_record(gen.searcher.stored_fields(doc)["record"])
        docs.append(analyze(record.get("title") or "") + analyze(record.get("body") or ""))
    expanded = feedback_terms(weights, docs, lambda t: gen.doc_frequency("body", t), gen.n)
    extra = np.zeros(gen.n, dtype=np.float64)
    for term, weight in expanded.items():
        added = weight - weights.get(term, 0.0)
        if added <= 0:
            continue
        for name in q.TEXT_FIELDS:
            ids, scores = gen.term_scores(name, term)
            extra[ids] += added * scores
    ev.scores += np.where(ev.mask, extra, 0.0)


def top_docs(
    gen: Generation, ev: Evaluation, mask: np.ndarray, sort: str, start: int, stop: int
) -> list[int]:
    """Doc numbers ranked [start:stop]: score, then newest, then id (pages never overlap).
    Ranking a long question by relevance applies its feedback first (ev.scores change)."""
    if sort == "relevance" and ev.feedback:
        feedback(gen, ev, mask)
    return _ranked(gen, ev, mask, sort, start, stop)


def _ranked(
    gen: Generation, ev: Evaluation, mask: np.ndarray, sort: str, start: int, stop: int
) -> list[int]:
    candidates = np.flatnonzero(mask)
    if start >= len(candidates):
        return []
    if sort == "oldest":
        keys = gen.order_oldest[candidates]
    elif sort == "newest" or not ev.scored:
        keys = gen.order_newest[candidates]
    else:
        scaled = -np.rint(ev.scores[candidates] * 1e6).astype(np.int64)
        keys = scaled * np.int64(max(gen.n, 1)) + gen.order_newest[candidates]
    k = min(stop, len(candidates))
    whole = k >= len(candidates)
    picked = np.arange(len(candidates)) if whole else np.argpartition(keys, k - 1)[:k]
    picked = picked[np.argsort(keys[picked], kind="stable")]
    return [int(d) for d in candidates[picked[start:stop]]]
