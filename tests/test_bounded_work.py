"""Every query's work is bounded (search.limits): options evaluated, expansion terms generated,
values scored, and highlighting skipped once the time budget is spent. The tests count units
of work (the evaluation's `work`, spies), never wall-clock time; `make attack` measures time."""

from __future__ import annotations

import numpy as np
import pytest

from search import Archive, engine, limits, snippets
from search import query as q
from search.query import parse


class CountingDeadline(engine.Deadline):
    """Expires after `allowed` checks: a deadline reached mid-query, without a clock."""

    def __init__(self, allowed: int):
        super().__init__(None)
        self.allowed = allowed

    def expired(self) -> bool:
        self.allowed -= 1
        if self.allowed < 0:
            self.hit = True
        return self.hit


@pytest.fixture(scope="module")
def archive(demo_index):
    archive = Archive(demo_index, time_limit=0)
    assert archive.health()["documents"] == 293
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def gen(archive):
    with archive.reading() as current:
        return current


def atoms(parsed: q.Query) -> list:
    return [
        option
        for clause in parsed.positive + parsed.negative
        for option in (clause.options if isinstance(clause, q.AnyOf) else (clause,))
    ]


def test_200_fuzzy_words_expand_at_most_the_cap():
    text = " ".join(f"elec{i:03d}tion~2" for i in range(200))
    assert len(text.split()) == 200  # 200 separate fuzzy words, not one token
    parsed = parse(text)
    fuzzy = [a for a in atoms(parsed) if isinstance(a, q.Term) and a.kind == "fuzzy"]
    assert len(fuzzy) == limits.MAX_EXPANDED_WORDS
    assert len(atoms(parsed)) == limits.MAX_OPTIONS  # the rest: plain words, up to the cap


def test_or_options_are_capped_across_all_clauses():
    words = [f"w{i}x" for i in range(300)]
    text = (
        " OR ".join(words[:100]) + " " + " OR ".join(words[100:200]) + " -" + " -".join(words[200:])
    )
    parsed = parse(text)
    assert len(atoms(parsed)) == limits.MAX_OPTIONS
    first = parsed.positive[0]
    assert isinstance(first, q.AnyOf) and len(first.options) == limits.MAX_OPTIONS
    assert not parsed.negative  # the budget was spent before the excluded words


def test_wildcards_and_fuzzy_words_within_the_cap_still_expand():
    parsed = parse("negot* lukashenko~ minsk")
    kinds = [a.kind for a in atoms(parsed)]
    assert kinds == ["prefix", "fuzzy", "word"]


def test_200_fuzzy_words_do_bounded_work(gen):
    text = " ".join(f"{w}{i}~2" for i in range(40) for w in ("governmen", "presiden", "electio"))
    ev = engine.evaluate(gen, parse(text[:2000]))
    assert ev.work.options <= limits.MAX_OPTIONS
    assert ev.work.expansion_terms <= limits.MAX_EXPANSION_SCAN


def test_expansion_walk_stops_at_the_query_budget(gen, monkeypatch):
    full = engine.evaluate(gen, parse("co* OR pr* OR re* OR st*"))
    assert full.work.expansion_terms > 40  # these prefixes have many completions
    monkeypatch.setattr(engine, "MAX_EXPANSION_SCAN", 40)
    cut = engine.evaluate(gen, parse("co* OR pr* OR re* OR st*"))
    assert cut.work.expansion_terms == 40  # the walk stopped, no whole lists built first
    assert cut.mask.sum() <= full.mask.sum()


def test_expansion_walk_stops_at_the_deadline(gen):
    ev = engine.evaluate(gen, parse("co* OR pr*"), deadline=CountingDeadline(30))
    assert ev.timed_out
    assert ev.work.expansion_terms <= 30


def test_or_options_stop_at_the_deadline(gen):
    text = " OR ".join(["minsk", "election", "virus", "police", "court", "report"] * 1)
    ev = engine.evaluate(gen, parse(text), deadline=CountingDeadline(3))
    assert ev.timed_out
    assert 1 <= ev.work.options < 6


def _common_value_word(gen, field: str) -> tuple[str, int]:
    table = gen.facets[field]
    counts: dict[str, int] = {}
    for value in table.values:
        for word in set(value.split()):
            if len(word) > 1:
                counts[word] = counts.get(word, 0) + 1
    word = max(counts, key=counts.get)
    return word, counts[word]


def test_field_prefix_scores_a_bounded_number_of_values(gen, monkeypatch):
    word, values = _common_value_word(gen, "organization")
    assert values > 3, (word, values)
    full = engine.evaluate(gen, parse(f"organization:{word}"))
    assert full.work.values_scored == min(values, limits.MAX_SCORED_VALUES)
    monkeypatch.setattr(engine, "MAX_SCORED_VALUES", 2)
    capped = engine.evaluate(gen, parse(f"organization:{word}"))
    assert capped.work.values_scored == 2
    assert np.array_equal(capped.mask, full.mask)  # every matching value still matches


def test_snippets_are_skipped_once_the_deadline_has_passed(archive, monkeypatch):
    evaluate, marked = engine.evaluate, []

    def evaluate_then_expire(gen, parsed, date_mask=None, deadline=None, aliases=None):
        ev = evaluate(gen, parsed, date_mask, deadline, aliases)
        deadline.end, deadline.hit = 0.0, True  # the budget ran out right after matching
        return ev

    def spy(text, terms, phrases=(), **options):
        marked.append(set(terms))
        return make_snippet(text, terms, phrases, **options)

    make_snippet = snippets.make_snippet
    monkeypatch.setattr(engine, "evaluate", evaluate_then_expire)
    monkeypatch.setattr(snippets, "make_snippet", spy)
    answer = archive.search("election", per_page=20, time_limit=30)
    assert answer["timed_out"] and len(answer["results"]) == 20
    assert len(marked) == 20 and not any(marked)  # no highlighting work past the deadline
    assert not any("<mark>" in hit["snippet"] + hit["title"] for hit in answer["results"])

    marked.clear()
    monkeypatch.setattr(engine, "evaluate", evaluate)
    answer = archive.search("election", per_page=20, time_limit=30)
    assert not answer["timed_out"] and all(marked)


def test_trends_and_timeline_take_the_time_limit(archive):
    for answer in (
        archive.trends("person", q="election OR minsk", time_limit=30),
        archive.timeline("month", q="election OR minsk", time_limit=30),
    ):
        assert answer["timed_out"] is False
    started = archive.timeline("month", q="election OR minsk", time_limit=1e-9)
    assert started["timed_out"] is True
    assert archive.trends("person", q="election", time_limit=1e-9)["timed_out"] is True
