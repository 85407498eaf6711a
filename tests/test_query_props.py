"""Hostile queries: whatever a reader types ends in results or a clear error, never a crash
or a hang. Property-based over the real demo archive (the session's `demo_index`)."""

from __future__ import annotations

import concurrent.futures

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import Archive, SearchError, engine
from search.limits import MAX_EXPANDED_WORDS, MAX_EXPANSION_SCAN, MAX_OPTIONS
from search.query import Term, parse

HANG = 20.0  # seconds: far above the 2 s query budget; only a hang gets near it
SYNTAX = ['"', "(", ")", "AND", "OR", "NOT", "-", "*", "?", "~", ":", "[", "]", "{", "}",
          "to", "title:", "person:", "date:", "^", "\\", "/", "\x00", "\u200b"]  # fmt: skip


@pytest.fixture(scope="module")
def archive(demo_index):
    return Archive(demo_index, time_limit=2.0)


@pytest.fixture(scope="module")
def pool():
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        yield executor


def run(archive, pool, q: str, **params):
    future = pool.submit(_search, archive, q, params)
    return future.result(timeout=HANG)  # a hang fails the test instead of stalling it


def _search(archive, q, params):
    try:
        return archive.search(q, **params)
    except SearchError as exc:
        assert exc.parameter and str(exc)
        return None


def check(answer) -> None:
    if answer is None:
        return
    assert answer["total"] >= len(answer["results"])
    for hit in answer["results"]:
        assert "<script" not in hit["snippet"].lower() and "<script" not in hit["title"].lower()


words = st.sampled_from(["minsk", "election", "virus", "Trump", "ЛУКАШЕНКА", "état", "covid"])
tokens = st.one_of(words, st.sampled_from(SYNTAX), st.text(max_size=8))
queries = st.lists(tokens, max_size=30).map(" ".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=queries)
def test_syntax_soup_never_fails(archive, pool, q):
    check(run(archive, pool, q))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=300))
def test_random_unicode_never_fails(archive, pool, q):
    check(run(archive, pool, q))


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=queries,
    page=st.integers(-5, 2000),
    per_page=st.integers(-5, 200),
    sort=st.sampled_from(["relevance", "newest", "oldest", "bogus", ""]),
    date_from=st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["2019", "2020-02"])),
)
def test_random_parameters_give_results_or_a_named_error(
    archive, pool, q, page, per_page, sort, date_from
):
    check(run(archive, pool, q, page=page, per_page=per_page, sort=sort, date_from=date_from))


@pytest.mark.parametrize(
    "q",
    [
        "minsk " * 2_000,  # 10,000+ characters
        "a* b* c* d* e* f* g* h* i* j* k* l* m* n* o* p* q* r* s* t*",
        "*" * 500,
        "(" * 1_000 + "minsk" + ")" * 1_000,
        '"' * 999,
        " OR ".join(f"w{i}*" for i in range(300)),
        " ".join(f"elec{i:03d}tion~2" for i in range(200)),  # 200 fuzzy words
        "date:[" * 300,
        "-" * 5_000 + "minsk",
    ],
)
def test_pathological_queries_answer_within_the_budget(archive, pool, q):
    answer = run(archive, pool, q)
    check(answer)


def test_200_fuzzy_terms_are_200_words_and_expand_at_most_the_cap(archive, pool):
    text = " ".join(f"elec{i:03d}tion~2" for i in range(200))
    assert len(text.split()) == 200
    parsed = parse(text)
    fuzzy = [c for c in parsed.positive if isinstance(c, Term) and c.kind == "fuzzy"]
    assert len(fuzzy) == MAX_EXPANDED_WORDS  # the rest are matched as typed
    with archive.reading() as gen:
        ev = pool.submit(engine.evaluate, gen, parsed).result(timeout=HANG)
    assert ev.work.options <= MAX_OPTIONS and ev.work.expansion_terms <= MAX_EXPANSION_SCAN
