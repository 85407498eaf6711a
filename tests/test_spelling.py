"""Did you mean: respell unknown words when that finds clearly more; never otherwise."""

from __future__ import annotations

import pytest
from whoosh.query import And, Or, Term

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import spelling
from search.analysis import analyze
from search.spelling import _distance, correct
from search.storage import open_index

BODIES = [f"New sanctions against Belarus, round {n}. Lukashenka responded." for n in range(6)]
BODIES += ["Minsk weather was mild.", "The sanctoins typo appears once here."]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spelling")
    items = [
        Parsed(f"t:{n}", article_from_dict({"id": f"p{n}", "title": f"Report {n}", "body": b}))
        for n, b in enumerate(BODIES)
    ]
    ingest(folder, items, extract=False)
    ix = open_index(folder)
    with ix.searcher() as searcher:
        yield searcher
    ix.close()


@pytest.fixture()
def hits(index):
    calls = []

    def count(query: str) -> int:
        calls.append(query)
        terms = analyze(query)
        if not terms:
            return 0
        q = And([Or([Term("body", t), Term("title", t)]) for t in terms])
        return len(index.search(q, limit=1))

    count.calls = calls
    return count


def test_misspelling_is_corrected(index, hits):
    assert correct(index.reader(), ["sanctoins"], hits) == "sanctions"
    assert correct(index.reader(), ["lukashneka"], hits) == "Lukashenka"


def test_other_words_are_kept_as_typed(index, hits):
    assert correct(index.reader(), ["Belarus", "sanctoins"], hits) == "Belarus sanctions"


def test_correct_query_gets_no_suggestion_and_no_counting(index, hits):
    assert correct(index.reader(), ["sanctions"], hits) is None
    assert correct(index.reader(), ["minsk", "weather"], hits) is None
    assert hits.calls == []


def test_no_suggestion_without_a_clear_gain(index, hits):
    # "mnsk" is near "minsk", but minsk is in only one article: not 3 more.
    assert correct(index.reader(), ["mnsk"], hits) is None
    assert correct(index.reader(), ["qqqqqq"], hits) is None


def test_distance_counts_a_swap_as_one():
    assert _distance("sanctoins", "sanctions") == 1
    assert _distance("kitten", "sitting") == 3
    assert _distance("abc", "xyzabc", limit=1) == 2


def test_no_lookup_when_even_every_article_would_not_be_a_clear_gain(index, hits, monkeypatch):
    """Given the most articles any query could find, a count that even that would not triple
    gets no suggestion, and no word is looked up (a long question finds a third of the
    archive); with room to gain the same word is corrected."""
    looked_up = []
    real = spelling._candidate_terms
    monkeypatch.setattr(spelling, "_candidate_terms", lambda *a: looked_up.append(a[1]) or real(*a))
    reader = index.reader()
    assert correct(reader, ["sanctoins"], hits, before=3, most=8) is None
    assert correct(reader, ["sanctoins"], hits, before=1, most=3) is None
    assert looked_up == [] and hits.calls == []
    assert correct(reader, ["sanctoins"], hits, before=1, most=8) == "sanctions"
    assert looked_up == ["sanctoins"]
