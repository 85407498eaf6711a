"""Ranking parameters (one `Settings` table) and the query-grouping rule, in one place.

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
  words, each word scoring over every text field (when no document holds them
  all, the engine answers with any of them and says so: `relaxed`);
* longer ones are natural-language questions: no document holds all their
  words, so they are OR-ed and ranked (`required_matches` = 1; requiring a
  fraction of the words was measured and only ever hurt, see README), and
  their request phrasing (search.questions.QUESTION_WORDS) is dropped;
* long questions are then expanded once with pseudo-relevance feedback
  (`feedback_terms`): the words most typical of the first FEEDBACK_DOCS
  results (higher ranks count more, a word must be in FEEDBACK_MIN_DOCS of
  them) are added with FEEDBACK_WEIGHT of the query's weight.

A document's score is therefore
    sum over query terms t, text fields f of
        weight[t] * FIELD_WEIGHTS[f] * term_weight(df_f(t), N) * BM25F_f(t, doc)
where df_f is the term's document frequency in field f and N the document count
(Whoosh's `doc_count_all`). `bench/oracles.py` expresses exactly that as a stock
Whoosh query (term boosts), which tests/test_engine.py checks the engine against;
eval/ir.py measures it and chooses the settings.
"""

from __future__ import annotations

import math
from bisect import insort
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from search.analysis import analyze
from search.questions import QUESTION_WORDS


@dataclass(frozen=True)
class Settings:
    """Every ranking setting, in one table. `SETTINGS` is what ships: the values
    eval/ir.py's leave-one-out selection picks on the six test collections (README,
    "Ranking and its measured quality"). eval passes others to `Archive(ranking=...)`."""

    k1: float = 1.2  # BM25 term-frequency saturation
    b: float = 0.5  # BM25 length normalisation (0.75 is the textbook value: measured lower)
    # Title boost is applied at index time (schema TITLE_BOOST); these multiply on top.
    # Title 0.5: a title word also in the body (the usual case) still scores well above a
    # body-only word, while the headline no longer outweighs what the text is about.
    title_weight: float = 0.5
    entity_weight: float = 2.0  # person, organization, place, and their other-script words
    k3: float = 3.0  # saturation of a word a question repeats: qtf * (K3 + 1) / (qtf + K3)
    idf_floor: float = 0.1  # a word in more than half the documents still counts a little
    question_words: bool = True  # long questions drop request phrasing (QUESTION_WORDS)
    # Feedback words' total weight, as a share of the query's: below 1, so the words the
    # reader typed always weigh more than the ones feedback guessed.
    feedback_weight: float = 0.6
    feedback_docs: int = 10  # first results read for pseudo-relevance feedback
    feedback_terms: int = 30  # words added
    feedback_decay: float = 0.5  # the result at rank r (0 first) counts 1 / (1 + DECAY * r)
    feedback_min_docs: int = 2  # a word must be in this many of those results

    @property
    def field_weights(self) -> dict[str, float]:
        entity = self.entity_weight
        return {
            "title": self.title_weight,
            "body": 1.0,
            "person": entity,
            "organization": entity,
            "place": entity,
            "other_script": entity,
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


SETTINGS = Settings()

# The shipped values under their long-standing names (the oracles and similar use them).
K1 = SETTINGS.k1
B = SETTINGS.b
# Per-field length normalisation (Whoosh's BM25F `<field>_B`); fields not listed use B.
FIELD_B: dict[str, float] = {}
FIELD_WEIGHTS = SETTINGS.field_weights

ALL_WORDS_UP_TO = 3
K3 = SETTINGS.k3
IDF_FLOOR = SETTINGS.idf_floor
FEEDBACK_DOCS = SETTINGS.feedback_docs
FEEDBACK_TERMS = SETTINGS.feedback_terms
FEEDBACK_WEIGHT = SETTINGS.feedback_weight
FEEDBACK_DECAY = SETTINGS.feedback_decay
FEEDBACK_MIN_DOCS = SETTINGS.feedback_min_docs


def idf(doc_frequency: int, doc_count: int) -> float:
    """Whoosh's idf, which its BM25F multiplies into every field score."""
    return math.log(doc_count / (doc_frequency + 1)) + 1.0


def rsj_idf(doc_frequency: int, doc_count: int, floor: float = IDF_FLOOR) -> float:
    """Robertson-Sparck Jones idf, floored at `floor`."""
    ratio = (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5)
    return max(floor, math.log(ratio))


def term_weight(doc_frequency: int, doc_count: int, floor: float = IDF_FLOOR) -> float:
    """Query-time multiplier of one term's field score: with it, the score uses rsj_idf
    in place of Whoosh's idf (which never falls below 1, so common words count)."""
    return rsj_idf(doc_frequency, doc_count, floor) / idf(doc_frequency, doc_count)


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
    dropped: frozenset[str] = frozenset()  # a long question's request phrasing

    @property
    def conjunctive(self) -> bool:
        return self.required >= len(self.weights)


def plan_query(
    text: str, terms: list[str] | None = None, settings: Settings = SETTINGS
) -> QueryPlan:
    """The terms of `text`, weighted (a repeated word counts more, saturating by K3). A
    short query requires all its words; a long question any one of them, ranked, and is
    expanded by feedback. A long question's request phrasing (QUESTION_WORDS: "what",
    "describe", "papers"...) is dropped, unless nothing else would be left. `terms`: the
    text's terms when already analysed (query.parse)."""
    counts = Counter(analyze(text) if terms is None else terms)
    required = required_matches(len(counts))
    question = len(counts) > ALL_WORDS_UP_TO
    dropped: frozenset[str] = frozenset()
    if question and settings.question_words:
        dropped = frozenset(counts) & QUESTION_WORDS
        if dropped == set(counts):
            dropped = frozenset()
    k3 = settings.k3
    weights = {t: c * (k3 + 1) / (c + k3) for t, c in counts.items() if t not in dropped}
    return QueryPlan(weights, min(required, len(weights)), question, dropped)


def feedback_terms(
    weights: dict[str, float],
    docs: Sequence[Sequence[str]],
    doc_frequency: Callable[[str], int],
    doc_count: int,
    settings: Settings = SETTINGS,
) -> dict[str, float]:
    """Pseudo-relevance feedback: `weights` plus the FEEDBACK_TERMS words most typical of
    `docs` (the analyzed title + body of the first results, best first).

    A word's score is its share of each document's words, averaged with weight
    1 / (1 + FEEDBACK_DECAY * rank) (rank 0 first), times rsj_idf (df from
    `doc_frequency`, the body field's). Words in fewer than FEEDBACK_MIN_DOCS of the
    documents (one document's idiosyncrasies) are never added. The
    added words share FEEDBACK_WEIGHT times the query's total weight, in proportion
    to their scores."""
    share: dict[str, float] = {}
    seen: Counter[str] = Counter()
    total = 0.0
    for rank, terms in enumerate(d for d in docs if d):
        doc_weight = 1.0 / (1.0 + settings.feedback_decay * rank)
        total += doc_weight
        counts = Counter(terms)
        seen.update(counts.keys())  # counted in C: a long document has a thousand words
        length = len(terms)
        for t, c in counts.items():
            share[t] = share.get(t, 0) + doc_weight * c / length
    # Candidates by share, most first; a word's idf is at most that of df 1, so once even
    # that could not lift a share past the current last pick, no later word can be picked
    # and their document frequencies (a lexicon lookup each) are never asked for.
    minimum = settings.feedback_min_docs
    candidates = sorted((-s, t) for t, s in share.items() if seen[t] >= minimum)
    best_idf = math.log((doc_count - 0.5) / 1.5) if doc_count > 1 else 0.0
    ranked: list[tuple[float, str]] = []  # (-value, word): the best so far, in order
    for negative_share, t in candidates:
        s = -negative_share
        if len(ranked) >= settings.feedback_terms and s / total * best_idf < -ranked[-1][0]:
            break
        df = doc_frequency(t)
        value = s / total * math.log((doc_count - df + 0.5) / (df + 0.5)) if df else 0.0
        if value > 0:
            insort(ranked, (-value, t))
            del ranked[settings.feedback_terms :]
    best = [(-negative, t) for negative, t in ranked]
    out = dict(weights)
    if not best or settings.feedback_weight <= 0:
        return out
    mass = settings.feedback_weight * sum(weights.values()) / sum(v for v, _ in best)
    for value, t in best:
        out[t] = out.get(t, 0.0) + mass * value
    return out


def settings() -> dict[str, Any]:
    """Every shipped setting, for the record written next to measured results."""
    return {**SETTINGS.as_dict(), "all_words_up_to": ALL_WORDS_UP_TO, "field_b": dict(FIELD_B)}
