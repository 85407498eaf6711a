"""Suggestions: prefix and multi-word completion, folding, ranking by use."""

from __future__ import annotations

import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search.storage import open_index
from search.suggest import Suggester


def article(n: int, title: str, body: str = "", **entities) -> Parsed:
    data = {"id": f"s{n}", "title": title, "body": body or title, "entities": entities}
    return Parsed(f"t:{n}", article_from_dict(data))


@pytest.fixture(scope="module")
def suggester(tmp_path_factory):
    folder = tmp_path_factory.mktemp("suggest")
    items = [article(n, "Lukashenka speaks", person=["Alexander Lukashenka"]) for n in range(5)]
    items += [article(5, "Lukashenko again", person=["Alexander Lukashenko"])]
    items += [article(6, "A leader", person=["alexander lukashenka"])]  # a rarer spelling
    items += [article(n, "Luxembourg votes", place=["Luxembourg"]) for n in range(7, 9)]
    items += [
        article(n, f"Sanctions extended {n}", "New sanctions hit Minsk.") for n in range(9, 12)
    ]
    items += [article(12, "A sanctioned bank", "The sanctioned bank closed.")]
    items += [article(13, "Lucky draw", "A lucky winner.")]
    ingest(folder, items, extract=False)
    ix = open_index(folder)
    with ix.searcher() as searcher:
        yield Suggester(searcher.reader())
    ix.close()


def texts(results):
    return [(r["text"], r["kind"], r["count"]) for r in results]


def test_prefix_ranked_by_count(suggester):
    assert texts(suggester.suggest("lu")) == [
        ("Alexander Lukashenka", "person", 6),
        ("Luxembourg", "place", 2),
        ("Alexander Lukashenko", "person", 1),
        ("lucky", "title", 1),  # "Lucky" and "lucky" once each: ordinary case wins
    ]


def test_most_frequent_spelling_is_shown(suggester):
    top = suggester.suggest("alexander")[0]
    assert top == {"text": "Alexander Lukashenka", "kind": "person", "count": 6}


def test_multi_word_prefix(suggester):
    assert texts(suggester.suggest("alexander lukashenk")) == [
        ("Alexander Lukashenka", "person", 6),
        ("Alexander Lukashenko", "person", 1),
    ]
    assert texts(suggester.suggest("Alexander  LUKASHENKA")) == [
        ("Alexander Lukashenka", "person", 6)
    ]
    assert suggester.suggest("alexander x") == []


def test_folding(suggester):
    assert suggester.suggest("łuk")[0]["text"] == "Alexander Lukashenka"
    assert suggester.suggest("LUKÁ")[0]["text"] == "Alexander Lukashenka"


def test_title_words_in_their_usual_surface_form(suggester):
    assert suggester.suggest("sanc") == [{"text": "sanctions", "kind": "title", "count": 4}]
    # A whole word typed: its stem still finds the completion.
    assert suggester.suggest("sanctions")[0]["text"] == "sanctions"


def test_limit_and_empty(suggester):
    assert len(suggester.suggest("lu", limit=2)) == 2
    assert suggester.suggest("") == []
    assert suggester.suggest("   ") == []
    assert suggester.suggest("zzz") == []


def test_the_last_word_completes_behind_the_words_before_it(suggester):
    assert texts(suggester.suggest("minsk lukash")) == [
        ("minsk Alexander Lukashenka", "person", 6),
        ("minsk Alexander Lukashenko", "person", 1),
    ]
    assert texts(suggester.suggest("New sanc"))[0] == ("New sanctions", "title", 4)
    # the whole text completing wins; a completion holding the words typed is not repeated
    assert texts(suggester.suggest("alexander luk")) == [
        ("Alexander Lukashenka", "person", 6),
        ("Alexander Lukashenko", "person", 1),
    ]
