"""Ranking parameters and the query-grouping rule, in one place.

BM25F as Whoosh computes it (so the fast path can be checked against stock
Whoosh): idf = log(N / (df + 1)) + 1, saturation K1, length normalisation B
(per field: FIELD_B), per-field weights. `required_matches` says how many of a
query's words a document must contain: all of them for short queries, fewer
for long natural-language questions, which would otherwise match nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from search.analysis import analyze

K1 = 1.2
B = 0.75
# Per-field length normalisation (Whoosh's BM25F `<field>_B`); fields not listed use B.
FIELD_B: dict[str, float] = {}
# Title boost is applied at index time (schema TITLE_BOOST); these multiply on top.
FIELD_WEIGHTS = {"title": 1.0, "body": 1.0, "person": 2.0, "organization": 2.0, "place": 2.0}
TEXT_FIELDS = ("title", "body")
ALL_WORDS_UP_TO = 3
MIN_SHOULD_MATCH = 0.3
# Words of a question's frame ("what are the ...", "describe ...") that say nothing about
# the subject; dropped from queries longer than ALL_WORDS_UP_TO only.
QUESTION_WORDS = frozenset()
# Repeated query words count more, saturating: weight = qtf * (K3 + 1) / (qtf + K3).
K3 = 0.0


def idf(doc_frequency: int, doc_count: int) -> float:
    return math.log(doc_count / (doc_frequency + 1)) + 1.0


def required_matches(n_terms: int) -> int:
    """How many distinct query words a result must contain."""
    if n_terms <= ALL_WORDS_UP_TO:
        return n_terms
    return max(1, math.ceil(n_terms * MIN_SHOULD_MATCH))


def query_terms(text: str) -> dict[str, float]:
    """Distinct index terms of a query, in order, with their query weights."""
    terms = analyze(text)
    if len(set(terms)) > ALL_WORDS_UP_TO and QUESTION_WORDS:
        kept = [t for t in terms if t not in QUESTION_WORDS]
        terms = kept or terms
    counts = Counter(terms)
    if not K3:
        return {t: 1.0 for t in counts}
    return {t: c * (K3 + 1) / (c + K3) for t, c in counts.items()}


IDF_MODE = "whoosh"
IDF_POWER = 1.0
IDF_FLOOR = 0.1


def term_weight(doc_frequency: int, doc_count: int) -> float:
    """Query-time multiplier on a term's score, on top of Whoosh's idf."""
    base = idf(doc_frequency, doc_count)
    if IDF_MODE == "power":
        return base ** (IDF_POWER - 1)
    if IDF_MODE == "robertson":
        r = math.log((doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))
        return max(IDF_FLOOR, r) ** IDF_POWER / base
    return 1.0


def field_b_options() -> dict[str, float]:
    """Keyword arguments for `whoosh.scoring.BM25F` giving each field its own B."""
    return {f"{name}_B": value for name, value in FIELD_B.items()}


def build_query(text: str, searcher=None, fields=TEXT_FIELDS):
    """The Whoosh query for a free-text search: each query word OR-ed over the text fields."""
    from whoosh import query as q

    weights = query_terms(text)
    if not weights:
        return None
    n = searcher.doc_count_all()
    per_term = [
        q.Or(
            [
                q.Term(
                    f,
                    t,
                    boost=w
                    * FIELD_WEIGHTS.get(f, 1.0)
                    * term_weight(searcher.doc_frequency(f, t), n),
                )
                for f in fields
            ]
        )
        for t, w in weights.items()
    ]
    need = required_matches(len(per_term))
    if need >= len(per_term):
        return q.And(per_term)
    return q.Or(per_term)


def settings() -> dict[str, Any]:
    return {
        "K1": K1,
        "B": B,
        "FIELD_B": dict(FIELD_B),
        "FIELD_WEIGHTS": dict(FIELD_WEIGHTS),
        "ALL_WORDS_UP_TO": ALL_WORDS_UP_TO,
        "MIN_SHOULD_MATCH": MIN_SHOULD_MATCH,
        "K3": K3,
        "QUESTION_WORDS": sorted(QUESTION_WORDS),
    }
