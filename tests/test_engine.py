"""The read side end to end over a small index built from a handful of articles."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from whoosh.sorting import FieldFacet

from bench.oracles import build_query, stock_query, whoosh_weighting
from index.readers import Parsed
from index.records import article_from_dict
from index.writer import delete, ingest
from search import Archive, SearchError, engine
from search import generation as generation_module
from search.analysis import analyze
from search.query import parse
from search.ranking import FEEDBACK_DOCS, FIELD_WEIGHTS, feedback_terms, plan_query
from search.schema import ENTITY_FIELDS, unpack_record
from search.storage import open_index

POLITICS = {"person": ["Lukashenka", "Vladimir Putin"], "organization": ["CSTO"]}
DOCS = [
    dict(
        id="a1",
        title="Lukashenka meets Putin in Minsk",
        date="2017-06-19T12:17:00",
        body="The presidents discussed gas prices and the CSTO summit in Minsk.",
        entities={**POLITICS, "place": ["Minsk", "Russia"]},
        category="Politics",
        tags=["summit"],
    ),
    dict(
        id="a2",
        title="Gas prices rise in Belarus",
        date="2017-03-02T09:00:00",
        body="Belarus pays more for Russian gas. Prices rose sharply in March.",
        entities={"place": ["Belarus", "Russia"]},
        category="Economy",
    ),
    dict(
        id="a3",
        title="Łukašenka signs a decree on parasites",
        date="2016-11-05T08:00:00",
        body="The decree taxes the unemployed. Crude oil deliveries were also discussed.",
        entities={"person": ["Łukašenka"], "place": ["belarus"]},
        category="politics",
    ),
    dict(
        id="a4",
        title="Archive note",
        body="Gas, gas and more gas in an undated note.",
        entities={"place": ["Belarus"]},
    ),
    dict(
        id="a5",
        title="Teaser: elections in Hrodna",
        date="2017-01-10T10:00:00",
        body="Short teaser about elections.",
        teaser=True,
        category="Politics",
    ),
    dict(
        id="a6",
        title="Oil refinery in Navapolatsk",
        date="2018-02-01T10:00:00",
        body="The refinery processes crude oil from Russia. Oil prices matter.",
        entities={"place": ["Navapolatsk", "Russia"], "organization": ["Naftan"]},
        category="Economy",
        tags=["oil"],
    ),
]
TIES = [
    dict(
        id=f"t{i:02d}",
        title="Tractor exports",
        body="Identical text about tractors.",
        date=f"2017-0{1 + i % 3}-01T00:00:00" if i % 5 else None,
        category="Economy",
    )
    for i in range(23)
]


def build(path, docs):
    items = [Parsed(f"t:{i}", article_from_dict(d)) for i, d in enumerate(docs)]
    report = ingest(path, items, extract=False)
    assert report.ok, report.failed
    return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = build(tmp_path_factory.mktemp("ix"), DOCS + TIES)
    return Archive(path)


@pytest.fixture
def no_aliases(monkeypatch):
    monkeypatch.setattr(Archive, "aliases", lambda self, gen=None: None)


@pytest.fixture
def stock_searcher(archive):
    """A stock Whoosh searcher over the same index, scoring with ranking's BM25F."""
    ix = open_index(archive.path)
    with ix.searcher(weighting=whoosh_weighting()) as searcher:
        yield searcher
    ix.close()


def ids(result):
    return [r["id"] for r in result["results"]]


def test_response_shape(archive):
    result = archive.search("gas")
    assert set(result) == {
        "query",
        "total",
        "page",
        "per_page",
        "took_ms",
        "corrected",
        "results",
        "facets",
        "timed_out",
        "relaxed",
        "generation",
    }
    assert set(result["results"][0]) == {
        "id",
        "url",
        "title",
        "date",
        "category",
        "entities",
        "snippet",
        "score",
    }
    assert set(result["facets"]) == {"person", "organization", "place", "category", "tag", "year"}
    assert result["timed_out"] is False and result["corrected"] is None
    assert "<mark>" in result["results"][0]["snippet"]


def test_short_queries_match_all_words(archive):
    result = archive.search("gas prices")
    assert set(ids(result)) == {"a1", "a2"} and result["relaxed"] is False
    assert archive.search("oil refinery", sort="newest")["relaxed"] is False


def test_short_query_no_article_holds_entirely_shows_any_word(archive):
    """Rather than nothing: the articles holding any word, the best-matching first, and
    totals and facets counting exactly those; the answer says so."""
    result = archive.search("prices tractors refinery", per_page=100, facet_size=100)
    assert result["relaxed"] is True
    any_word = {
        r["id"]
        for w in ("prices", "tractors", "refinery")
        for r in archive.search(w, per_page=100)["results"]
    }
    assert set(ids(result)) == any_word and result["total"] == len(any_word)
    counts = {v["value"]: v["count"] for v in result["facets"]["category"]}
    assert sum(counts.values()) <= result["total"]
    assert archive.search("prices tractors zzzqqq")["relaxed"] is True
    nothing = archive.search("zzzqqq xxxyyy")
    assert nothing["total"] == 0 and nothing["relaxed"] is False
    # An excluded word stays excluded when the query is relaxed.
    excluded = archive.search("prices tractors refinery -gas", per_page=100)
    assert excluded["relaxed"] and not {"a1", "a2"} & set(ids(excluded))


def test_long_question_ranks_the_right_article_first(archive):
    result = archive.search("what did the presidents say about the summit in Minsk last year")
    assert ids(result)[0] == "a1"


NEWS = [
    ("n1", "Ambassador presses president", "The ambassador urged the president to change his "
     "policies on trade; the envoy's efforts were praised in the capital."),
    ("n2", "President visits factory", "The president toured a car factory and praised efforts."),
    ("n3", "Weather", "Rain is expected across the region this week."),
    ("n4", "Trade policy", "The government published new trade policies; the president signed."),
    ("n5", "Ambassador recalled", "The ambassador was recalled after a dispute over visas."),
    ("n6", "Climate efforts stall", "Efforts to change climate policies stalled in parliament."),
]  # fmt: skip


def test_long_natural_language_question_through_archive_search(tmp_path, no_aliases):
    news = [dict(id=i, title=title, body=body) for i, title, body in NEWS]
    archive = Archive(build(tmp_path / "news", news))
    question = "efforts of the ambassador to get the president to change his policies"
    result = archive.search(question)
    assert ids(result)[0] == "n1"
    assert result["total"] == 5 and "n3" not in ids(result)  # any word matches; n3 has none
    assert result["results"][0]["score"] > result["results"][1]["score"]


def test_excludes_or_fields_phrases(archive):
    assert set(ids(archive.search("gas -belarus"))) == {"a1"}
    assert set(ids(archive.search("parasites OR refinery"))) == {"a3", "a6"}
    assert set(ids(archive.search("title:minsk"))) == {"a1"}
    assert set(ids(archive.search("body:minsk"))) == {"a1"}
    assert ids(archive.search("title:crude")) == []
    assert set(ids(archive.search('"crude oil"'))) == {"a3", "a6"}
    assert ids(archive.search('"oil crude"')) == []
    assert set(ids(archive.search("person:putin"))) == {"a1"}
    assert set(ids(archive.search('person:"vladimir putin"'))) == {"a1"}
    assert set(ids(archive.search("organization:naftan"))) == {"a6"}
    assert set(ids(archive.search("category:economy", per_page=100))) == {"a2", "a6"} | {
        d["id"] for d in TIES
    }


def test_wildcard_and_fuzzy(archive):
    assert set(ids(archive.search("refin*"))) == {"a6"}
    assert set(ids(archive.search("parasits~"))) == {"a3"}
    assert archive.search("tractr~2")["total"] == len(TIES)


def test_accent_folding_and_aliases(archive):
    assert set(ids(archive.search("lukasenka"))) == {"a3"}
    assert set(ids(archive.search("ŁUKAŠENKA"))) == {"a3"}
    assert set(ids(archive.search("person:lukasenka"))) == {"a3"}
    assert "a1" in ids(archive.search("Lukashenko"))  # an alias of Lukashenka


def test_teasers_are_searchable(archive):
    assert ids(archive.search("elections")) == ["a5"]


def test_query_syntax_never_errors(archive):
    for text in ['"gas', "AND", "gas AND", "(gas", "gas]", "date:[x to y]", "-", "title:"]:
        assert archive.search(text)["timed_out"] is False


def test_date_ranges_and_from_to(archive):
    assert set(ids(archive.search("gas date:[2017-01 to 2017-06]"))) == {"a1", "a2"}
    assert set(ids(archive.search("gas date:2017-03"))) == {"a2"}
    assert set(ids(archive.search("gas", date_from="2017-03-02", date_to="2017-03-02"))) == {"a2"}
    assert set(ids(archive.search("gas", date_to="2017"))) == {"a1", "a2"}
    assert set(ids(archive.search("gas", date_from="2017-04"))) == {"a1"}
    assert "a4" not in ids(archive.search("gas", date_from="1900"))  # undated left out


def test_sorting_and_undated_last(archive):
    newest = archive.search("gas", sort="newest")
    oldest = archive.search("gas", sort="oldest")
    assert ids(newest) == ["a1", "a2", "a4"]
    assert ids(oldest) == ["a2", "a1", "a4"]


def test_empty_query_lists_everything_newest_first(archive):
    result = archive.search("", per_page=100)
    assert result["total"] == len(DOCS) + len(TIES)
    dates = [r["date"] for r in result["results"] if r["date"]]
    assert dates == sorted(dates, reverse=True)
    assert ids(result)[0] == "a6"
    assert all(r["date"] is None for r in result["results"][-6:])
    assert result["results"][0]["snippet"].startswith("The refinery processes")


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_paging_never_repeats_or_skips(archive, sort):
    everything = ids(archive.search("tractors", sort=sort, per_page=100))
    assert len(everything) == len(TIES)
    paged = []
    for page in range(1, 8):
        paged += ids(archive.search("tractors", sort=sort, page=page, per_page=4))
    assert paged == everything
    if sort == "relevance":  # identical scores: newest first, then id, undated last
        expected = sorted(TIES, key=lambda d: (d["date"] is None, _neg(d["date"]), d["id"]))
        assert everything == [d["id"] for d in expected]
    assert archive.search("tractors", page=50, per_page=4)["results"] == []


def _neg(date):
    return "" if date is None else "".join(chr(0x10FFFF - ord(c)) for c in date)


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"page": 0}, "page"),
        ({"per_page": 101}, "per_page"),
        ({"page": 101, "per_page": 100}, "page"),
        ({"sort": "best"}, "sort"),
        ({"date_from": "2017-13"}, "from"),
        ({"date_to": "soon"}, "to"),
        ({"facet_size": 101}, "facet_size"),
        ({"filters": {"colour": ["red"]}}, "colour"),
        ({"page": "x"}, "page"),
    ],
)
def test_invalid_parameters(archive, kwargs, parameter):
    with pytest.raises(SearchError) as caught:
        archive.search("gas", **kwargs)
    assert caught.value.parameter == parameter


def facet(result, name):
    return {v["value"]: (v["count"], v["selected"]) for v in result["facets"][name]}


def test_disjunctive_facets(archive):
    plain = archive.search("gas")
    assert facet(plain, "place") == {
        "Belarus": (2, False),
        "Russia": (2, False),
        "Minsk": (1, False),
    }
    chosen = archive.search("gas", filters={"place": ["minsk"]})
    assert chosen["total"] == 1
    # the place facet ignores its own selection, so Belarus stays visible
    assert facet(chosen, "place")["Belarus"] == (2, False)
    assert facet(chosen, "place")["Minsk"] == (1, True)
    assert facet(chosen, "category") == {"Politics": (1, False)}
    both = archive.search("gas", filters={"place": ["minsk", "BELARUS"]})
    assert both["total"] == 3  # OR within a facet
    across = archive.search("gas", filters={"place": ["Belarus"], "category": ["economy"]})
    assert ids(across) == ["a2"]  # AND across facets
    assert facet(across, "category") == {"Economy": (1, True)}


def test_selected_zero_count_values_still_appear(archive):
    result = archive.search("tractors", filters={"person": ["Lukashenka"], "tag": ["nowhere"]})
    assert result["total"] == 0
    assert facet(result, "person") == {"Lukashenka": (0, True)}
    assert facet(result, "tag")["nowhere"] == (0, True)


def test_display_spelling_is_the_most_frequent(archive):
    result = archive.search("")
    assert facet(result, "category")["Politics"][0] == 3  # "politics" once, "Politics" twice
    assert facet(result, "year")["2017"][0] == sum(
        1 for d in DOCS + TIES if (d.get("date") or "").startswith("2017")
    )


def test_article_health_stats(archive):
    assert archive.article("a2")["title"] == "Gas prices rise in Belarus"
    assert archive.article("nope") is None
    assert archive.health()["documents"] == len(DOCS) + len(TIES)
    stats = archive.stats()
    assert stats["date_range"] == {"from": "2016-11-05T08:00:00", "to": "2018-02-01T10:00:00"}
    assert stats["top"]["place"][0] == {"value": "Belarus", "count": 3}


def test_time_limit_answers_with_timed_out(archive):
    result = archive.search("what did the presidents say about gas", time_limit=1e-9)
    assert result["timed_out"] is True


@pytest.mark.parametrize(
    "text",
    [
        "gas",
        "gas prices",
        "russia",
        "oil -belarus",
        '"crude oil"',
        "parasites OR refinery",
        "crude",
        "tractors",
        "minsk",
        "lukasenka",
    ],
)
def test_fast_path_matches_stock_whoosh(archive, no_aliases, stock_searcher, monkeypatch, text):
    """Totals, facet counts and top scores equal stock Whoosh's for the same query.

    The query language as stock_query builds it (phrases, excludes, OR, entity values);
    stock_query has no per-term boosts, so term_weight is 1 on both sides here (the
    weighted ranking is checked against ranking.build_query below). A fresh Archive: the
    shared one keeps scores computed with the real term_weight."""
    monkeypatch.setattr(generation_module, "term_weight", lambda df, n, floor: 1.0)
    ours = Archive(archive.path).search(text, per_page=100, facet_size=100)
    searcher = stock_searcher
    query, mask = stock_query(parse(text), FIELD_WEIGHTS, ENTITY_FIELDS)
    stock = searcher.search(
        query,
        limit=None,
        mask=mask,
        groupedby={
            name: FieldFacet(name, allow_overlap=True) for name in ("place", "category", "person")
        },
    )
    assert ours["total"] == len(stock)
    assert {r["id"] for r in ours["results"]} == {hit["id"] for hit in stock}
    ours_scores = sorted((r["score"] for r in ours["results"]), reverse=True)[:10]
    stock_scores = sorted((round(hit.score, 4) for hit in stock), reverse=True)[:10]
    assert ours_scores == pytest.approx(stock_scores, rel=1e-4)
    for name in ("place", "category", "person"):
        groups = stock.groups(name)
        stock_counts = Counter({k: len(v) for k, v in groups.items() if k is not None})
        ours_counts = Counter({_fold(v["value"]): v["count"] for v in ours["facets"][name]})
        assert ours_counts == stock_counts


def stock_ranking(searcher, text):
    """ranking.py's specification run by stock Whoosh: build_query's boosted terms; for a
    long question, feedback_terms from the first FEEDBACK_DOCS hits, then the expanded
    query over the documents the question matched. Returns (hits, final weights)."""
    plan = plan_query(text)
    query = build_query(plan, searcher)
    hits = searcher.search(query, limit=None)
    if not plan.feedback:
        return hits, plan.weights
    records = [unpack_record(hit["record"]) for hit in list(hits)[:FEEDBACK_DOCS]]
    docs = [analyze(r["title"]) + analyze(r["body"]) for r in records]
    expanded = feedback_terms(
        plan.weights, docs, lambda t: searcher.doc_frequency("body", t), searcher.doc_count_all()
    )
    return searcher.search(
        build_query(plan, searcher, expanded), filter=query, limit=None
    ), expanded


@pytest.mark.parametrize(
    ("text", "expands"),
    [
        ("gas", False),
        ("gas prices", False),
        ("oil oil refinery", False),  # a repeated word weighs more
        ("crude oil deliveries refinery", False),  # long: any word; feedback re-weights
        ("what did the presidents say about gas prices", True),  # feedback adds "more"
    ],
)
def test_ranking_matches_ranking_build_query(archive, no_aliases, stock_searcher, text, expands):
    """Plan weights, term_weight, FIELD_WEIGHTS and feedback score exactly as
    ranking.build_query does in stock Whoosh; the match set is the question's own."""
    ours = archive.search(text, per_page=100)
    stock, weights = stock_ranking(stock_searcher, text)
    assert (set(weights) > set(plan_query(text).weights)) == expands
    assert ours["total"] == len(stock) > 0
    assert {r["id"]: r["score"] for r in ours["results"]} == pytest.approx(
        {hit["id"]: hit.score for hit in stock}, rel=1e-4, abs=1e-4
    )
    scores = [r["score"] for r in ours["results"]]
    assert scores == sorted(scores, reverse=True)  # ties: newest first, not docnum order


def test_feedback_changes_scores_not_matches(archive, no_aliases, stock_searcher):
    question = "what did the presidents say about gas prices"
    ranked = archive.search(question, per_page=100)
    listed = archive.search(question, per_page=100, sort="newest")  # no feedback needed
    assert ranked["total"] == listed["total"]
    assert ranked["facets"] == listed["facets"]
    first_pass = stock_searcher.search(
        build_query(plan_query(question), stock_searcher), limit=None
    )
    first = {hit["id"]: round(hit.score, 4) for hit in first_pass}
    assert {r["id"]: r["score"] for r in ranked["results"]} != first
    assert set(first) == set(ids(ranked))


def _fold(value):
    from search.analysis import fold_value

    return fold_value(value)


def test_refresh_after_commit_and_delete(tmp_path):
    path = build(tmp_path / "ix", DOCS)
    archive = Archive(path)
    assert archive.search("gas")["total"] == 3
    build(path, [dict(id="b1", title="More gas news", body="Gas again.", date="2019-01-01")])
    assert archive.search("gas")["total"] == 4
    assert delete(path, ["a2", "b1"]) == 2
    result = archive.search("gas")
    assert result["total"] == 2
    assert facet(result, "place") == {
        "Belarus": (1, False),
        "Minsk": (1, False),
        "Russia": (1, False),
    }
    assert archive.health()["documents"] == len(DOCS) - 1


@pytest.mark.parametrize(
    "text",
    [
        "gas",
        "gas prices",
        '"crude oil"',
        "oil -belarus",
        "gas tractors",  # no article holds both: relaxed
        "what did the presidents say about gas prices",
        "lukashenka putin summit minsk",
        "title:gas OR place:russia",
    ],
)
def test_counting_matches_what_scoring_matches(archive, text):
    """Did-you-mean counts a respelled query without scoring it: the same matches."""
    with archive.reading() as gen:
        scored = engine.evaluate(gen, parse(text))
        counted = engine.evaluate(gen, parse(text), scoring=False)
    assert scored.mask.any() and scored.scores.any()
    assert np.array_equal(counted.mask, scored.mask)
    assert counted.relaxed == scored.relaxed
    assert not counted.scores.any()
