"""Ranking parameters and the query-grouping rule, in one place.

Scoring is Whoosh's BM25F (so the fast path can be checked against stock
Whoosh): per field, idf = log(N / (df + 1)) + 1, saturation K1, length
normalisation B (FIELD_B per field), and the field's weight. Title matches are
boosted at index time (schema TITLE_BOOST: title term frequencies count 2.5
times, which saturates) and FIELD_WEIGHTS multiply each field's score.

A query becomes a `QueryPlan` (`plan_query`):

* each distinct word is a term, weighted by how often the query repeats it
  (saturating, K3) and, at scoring time, by `term_weight`, which turns
  Whoosh's idf into Robertson-Sparck Jones idf: words that half the archive
  contains count (almost) nothing, which matters for long questions;
* short queries (up to ALL_WORDS_UP_TO distinct words) must match all their
  words, each word scoring over every text field;
* longer ones are natural-language questions: no document holds all their
  words, so they are OR-ed and ranked (`required_matches` = 1; requiring a
  fraction of the words was measured and only ever hurt, see README);
* long questions are then expanded once with pseudo-relevance feedback
  (`feedback_terms`): the words most typical of the first FEEDBACK_DOCS
  results (higher ranks count more, a word must be in FEEDBACK_MIN_DOCS of
  them) are added with FEEDBACK_WEIGHT of the query's weight.

A document's score is therefore
    sum over query terms t, text fields f of
        weight[t] * FIELD_WEIGHTS[f] * term_weight(df_f(t), N) * BM25F_f(t, doc)
where df_f is the term's document frequency in field f and N the document count
(Whoosh's `doc_count_all`). `bench/oracles.py` expresses exactly that as a stock
Whoosh query (term boosts), which tests/test_engine.py checks the engine against.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from search.analysis import analyze

K1 = 1.2
B = 0.75
# Per-field length normalisation (Whoosh's BM25F `<field>_B`); fields not listed use B.
FIELD_B: dict[str, float] = {}
# Title boost is applied at index time (schema TITLE_BOOST); these multiply on top.
# Title 0.5: a title word also in the body (the usual case) still scores well above a
# body-only word, while the headline no longer outweighs what the text is about.
FIELD_WEIGHTS = {"title": 0.5, "body": 1.0, "person": 2.0, "organization": 2.0, "place": 2.0}

ALL_WORDS_UP_TO = 3
# Saturation of repeated query words in long questions: qtf * (K3 + 1) / (qtf + K3).
K3 = 3.0
# term_weight's floor: a word in more than half the documents still counts a little.
IDF_FLOOR = 0.1

FEEDBACK_DOCS = 10  # first results read for pseudo-relevance feedback
FEEDBACK_TERMS = 30  # words added
FEEDBACK_WEIGHT = 0.6  # their total weight, as a share of the query's own
FEEDBACK_DECAY = 0.5  # the result at rank r (0 first) counts 1 / (1 + DECAY * r)
FEEDBACK_MIN_DOCS = 2  # a word must be in this many of those results


def idf(doc_frequency: int, doc_count: int) -> float:
    """Whoosh's idf, which its BM25F multiplies into every field score."""
    return math.log(doc_count / (doc_frequency + 1)) + 1.0


def rsj_idf(doc_frequency: int, doc_count: int) -> float:
    """Robertson-Sparck Jones idf, floored at IDF_FLOOR."""
    ratio = (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5)
    return max(IDF_FLOOR, math.log(ratio))


def term_weight(doc_frequency: int, doc_count: int) -> float:
    """Query-time multiplier of one term's field score: with it, the score uses rsj_idf
    in place of Whoosh's idf (which never falls below 1, so common words count)."""
    return rsj_idf(doc_frequency, doc_count) / idf(doc_frequency, doc_count)


def required_matches(n_terms: int) -> int:
    """How many distinct query words a result must contain: all of a short query's,
    any one of a long question's (it is ranked, not filtered)."""
    if n_terms <= ALL_WORDS_UP_TO:
        return n_terms
    return 1


@dataclass(frozen=True)
class QueryPlan:
    """What a free-text query asks for: its terms with query weights, how many of them a
    document must contain, and whether to expand it with pseudo-relevance feedback."""

    weights: dict[str, float]
    required: int
    feedback: bool

    @property
    def conjunctive(self) -> bool:
        return self.required >= len(self.weights)


def plan_query(text: str, terms: list[str] | None = None) -> QueryPlan:
    """The terms of `text`, weighted (a repeated word counts more, saturating by K3). A
    short query requires all its words; a long question any one of them, ranked, and is
    expanded by feedback. `terms`: the text's terms when already analysed (query.parse)."""
    terms = analyze(text) if terms is None else terms
    weights = {t: c * (K3 + 1) / (c + K3) for t, c in Counter(terms).items()}
    required = required_matches(len(weights))
    return QueryPlan(weights, required, len(weights) > ALL_WORDS_UP_TO)


def feedback_terms(
    weights: dict[str, float],
    docs: Sequence[Sequence[str]],
    doc_frequency: Callable[[str], int],
    doc_count: int,
) -> dict[str, float]:
    """Pseudo-relevance feedback: `weights` plus the FEEDBACK_TERMS words most typical of
    `docs` (the analyzed title + body of the first results, best first).

    A word's score is its share of each document's words, averaged with weight
    1 / (1 + FEEDBACK_DECAY * rank) (rank 0 first), times rsj_idf (df from
    `doc_frequency`, the body field's). Words in fewer than FEEDBACK_MIN_DOCS of the
    documents (one document's idiosyncrasies) are never added. The
    added words share FEEDBACK_WEIGHT times the query's total weight, in proportion
    to their scores."""
    share: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    total = 0.0
    for rank, terms in enumerate(d for d in docs if d):
        doc_weight = 1.0 / (1.0 + FEEDBACK_DECAY * rank)
        total += doc_weight
        for t, c in Counter(terms).items():
            share[t] += doc_weight * c / len(terms)
            seen[t] += 1
    scored = []
    for t, s in share.items():
        if seen[t] < FEEDBACK_MIN_DOCS:
            continue
        df = doc_frequency(t)
        value = s / total * math.log((doc_count - df + 0.5) / (df + 0.5)) if df else 0.0
        if value > 0:
            scored.append((value, t))
    scored.sort(key=lambda item: (-item[0], item[1]))
    best = scored[:FEEDBACK_TERMS]
    out = dict(weights)
    if not best:
        return out
    mass = FEEDBACK_WEIGHT * sum(weights.values()) / sum(v for v, _ in best)
    for value, t in best:
        out[t] = out.get(t, 0.0) + mass * value
    return out


def settings() -> dict[str, Any]:
    """Every setting, for the record written next to measured results."""
    return {
        "K1": K1,
        "B": B,
        "FIELD_B": dict(FIELD_B),
        "FIELD_WEIGHTS": dict(FIELD_WEIGHTS),
        "ALL_WORDS_UP_TO": ALL_WORDS_UP_TO,
        "K3": K3,
        "IDF_FLOOR": IDF_FLOOR,
        "FEEDBACK_DOCS": FEEDBACK_DOCS,
        "FEEDBACK_TERMS": FEEDBACK_TERMS,
        "FEEDBACK_WEIGHT": FEEDBACK_WEIGHT,
        "FEEDBACK_DECAY": FEEDBACK_DECAY,
        "FEEDBACK_MIN_DOCS": FEEDBACK_MIN_DOCS,
    }
