"""Test oracles: the engine's queries and ranking, written the stock Whoosh way.

The engine (search/engine.py) evaluates queries in numpy straight from the
postings; these build the same queries as stock Whoosh objects, so tests
(tests/test_engine.py, tests/test_facets_reuters.py) and bench/search.py can
compare the fast path with stock Whoosh on the same index. They are not used
in production, which is why they live here.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh import query as wq
from whoosh import scoring

from search.analysis import fold_value
from search.query import TEXT_FIELDS, VALUE_FIELDS, AnyOf, Clause, Phrase, Query, Term
from search.ranking import (
    FIELD_B,
    FIELD_WEIGHTS,
    K1,
    B,
    QueryPlan,
    required_matches,
    term_weight,
)
from search.schema import OTHER_SCRIPT_FIELD


def field_b_options() -> dict[str, float]:
    """Keyword arguments for `whoosh.scoring.BM25F` giving each field its own B."""
    return {f"{name}_B": value for name, value in FIELD_B.items()}


def whoosh_weighting():
    """The stock Whoosh weighting search.ranking's settings describe."""
    return scoring.BM25F(B=B, K1=K1, **field_b_options())


def build_query(
    plan: QueryPlan,
    searcher,
    weights: dict[str, float] | None = None,
    fields: Iterable[str] = TEXT_FIELDS,
):
    """The plan as a Whoosh query (None for an empty one): each term over `fields`, boosted
    by its weight, the field's weight and term_weight; AND-ed by term when the plan
    requires every term, else one OR. `weights` overrides the plan's (feedback)."""
    weights = plan.weights if weights is None else weights
    if not weights:
        return None
    fields = tuple(fields)
    n = searcher.doc_count_all()

    def term(f: str, t: str, w: float):
        boost = w * FIELD_WEIGHTS.get(f, 1.0) * term_weight(searcher.doc_frequency(f, t), n)
        return wq.Term(f, t, boost=boost)

    if plan.conjunctive:
        return wq.And([wq.Or([term(f, t, w) for f in fields]) for t, w in weights.items()])
    return wq.Or([term(f, t, w) for t, w in weights.items() for f in fields])


def stock_query(
    parsed: Query, weights: dict[str, float], entity_fields: tuple[str, ...]
) -> tuple[wq.Query, wq.Query | None]:
    """The same query built the stock way: (query, mask of excluded documents or None).

    Or/And of Terms, field weights as query boosts.
    Used by the tests and bench/search.py to check the fast path against stock Whoosh. Long
    questions become a plain Or (stock Whoosh has no "at least m of n"), wildcard and fuzzy
    terms stock Prefix/FuzzyTerm queries; alias expansion is not applied.
    """

    def text_alternatives(clause: Term | Phrase) -> list[wq.Query]:
        fields = (clause.field,) if clause.field in TEXT_FIELDS else TEXT_FIELDS
        terms = clause.terms
        alts: list[wq.Query] = []
        for name in fields:
            boost = weights.get(name, 1.0)
            if isinstance(clause, Term) and clause.kind == "prefix":
                alts.append(wq.Prefix(name, terms[0], boost=boost))
            elif isinstance(clause, Term) and clause.kind == "fuzzy":
                alts.append(
                    wq.FuzzyTerm(
                        name, terms[0], maxdist=clause.distance, prefixlength=1, boost=boost
                    )
                )
            elif len(terms) == 1:
                alts.append(wq.Term(name, terms[0], boost=boost))
            else:
                alts.append(wq.Phrase(name, terms, boost=boost))
        plain = clause.field is None and not (isinstance(clause, Term) and clause.kind != "word")
        if plain and isinstance(clause, Term) and len(terms) == 1:
            boost = weights.get(OTHER_SCRIPT_FIELD, 1.0)
            alts.append(wq.Term(OTHER_SCRIPT_FIELD, terms[0], boost=boost))
        if plain:
            value = fold_value(clause.text)
            alts.extend(
                wq.Term(name, value, boost=weights.get(name, 1.0)) for name in entity_fields
            )
        return alts

    def clause_query(clause: Clause) -> wq.Query:
        if isinstance(clause, AnyOf):
            return wq.Or([clause_query(option) for option in clause.options])
        if clause.field in VALUE_FIELDS:
            value = fold_value(clause.text)
            return wq.Term(clause.field, value, boost=weights.get(clause.field, 1.0))
        return wq.Or(text_alternatives(clause))

    positives = [clause_query(c) for c in parsed.positive]
    if not positives:
        main: wq.Query = wq.Every()
    elif required_matches(len(positives)) >= len(positives):
        main = wq.And(positives)
    else:
        main = wq.Or(positives)
    # Excludes go to searcher.search(mask=...): stock AndNot returned an excluded doc at
    # the first posting, and And+Not adds 1.0 to every score.
    mask = wq.Or([clause_query(c) for c in parsed.negative]) if parsed.negative else None
    return main, mask
