"""The widget's instant search: `partial=1` makes the last word typed match as a prefix too,
without changing what a submitted search means; its expansion is bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import Archive
from search.engine import Deadline, Evaluator
from search.limits import PARTIAL_EXPANSIONS
from search.query import AnyOf, Term, complete_last_word, parse


def ids(client, **params) -> list[str]:
    answer = client.get("/api/search", query_string={"per_page": 100, **params}).get_json()
    assert len(answer["results"]) == answer["total"]
    return sorted(hit["id"] for hit in answer["results"])


def test_the_last_word_being_typed_matches_as_a_prefix(client):
    assert ids(client, q="lukash") == []  # a submitted search means what it says
    found = ids(client, q="lukash", partial=1)
    assert {"belarus-1", "belarus-2", "xss-1"} <= set(found)
    assert found == ids(client, q="lukashenka")
    assert ids(client, q="minsk lukash", partial="true") == ids(client, q="minsk lukashenka")


def test_a_whole_word_finds_at_least_what_it_finds_submitted(client):
    for q in ("minsk", "russia", "security"):
        assert set(ids(client, q=q)) <= set(ids(client, q=q, partial=1))


def test_only_a_plain_last_word_still_being_typed_is_completed(client):
    assert ids(client, q="lukash ", partial=1) == []  # a space: the word is finished
    assert ids(client, q="minsk -lukash", partial=1) == ids(client, q="minsk")
    assert ids(client, q='"lukash"', partial=1) == []
    assert ids(client, q="person:lukash", partial=1) == ids(client, q="person:lukash")


@pytest.mark.parametrize(
    ("text", "completed"),
    [("zimbab", True), ("minsk zimbab", True), ("z", False), ("zimbab ", False),
     ("-zimbab", False), ("title:zimbab", False), ("zimb*", False), ("zimbab~", False)],
)  # fmt: skip
def test_which_queries_get_a_prefix_clause(text, completed):
    parsed = complete_last_word(parse(text))
    last = parsed.positive[-1] if parsed.positive else None
    is_completed = isinstance(last, AnyOf) and last.options[-1].kind == "partial"
    assert is_completed == completed


def test_partial_is_checked(client):
    response = client.get("/api/search", query_string={"q": "minsk", "partial": "maybe"})
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "partial"


def test_no_did_you_mean_for_a_word_still_being_typed(client):
    submitted = client.get("/api/search?q=minsc").get_json()
    assert submitted["corrected"].lower() == "minsk"
    assert client.get("/api/search?q=minsc&partial=1").get_json()["corrected"] is None


def test_suggest_completes_the_last_word_behind_the_others(client):
    answer = client.get("/api/suggest", query_string={"q": "minsk lukash"}).get_json()
    texts = [s["text"] for s in answer["suggestions"]]
    assert texts and all(t.startswith("minsk ") for t in texts)
    assert any("Lukashenka" in t for t in texts)
    lukash = client.get("/api/suggest", query_string={"q": "lukash"}).get_json()
    assert any("Lukashenka" in s["text"] for s in lukash["suggestions"])


def test_expansion_is_capped(tmp_path: Path):
    words = [f"zeta{i:03d}" for i in range(3 * PARTIAL_EXPANSIONS)]
    items = [
        Parsed(f"t:{i}", article_from_dict({"id": f"z{i}", "title": w, "body": f"{w} text"}))
        for i, w in enumerate(words)
    ]
    assert ingest(tmp_path, items, extract=False).ok
    archive = Archive(tmp_path)
    gen = archive._current()
    evaluator = Evaluator(gen, Deadline(None))
    mask, _ = evaluator.clause(AnyOf((Term("zeta"), Term("zeta", None, "partial"))))
    assert len(evaluator.terms) <= PARTIAL_EXPANSIONS + 1  # the word itself, and the cap
    assert int(mask.sum()) == PARTIAL_EXPANSIONS
    archive.close()


@pytest.mark.slow
def test_zimbab_finds_the_zimbabwe_articles(corpora: Path, tmp_path: Path):
    from index.readers import read_path

    items = [p for p in read_path(str(corpora / "bbc.jsonl.gz")) if isinstance(p, Parsed)]
    assert len(items) == 2225
    assert ingest(tmp_path, items, extract=False).ok
    archive = Archive(tmp_path)
    whole = archive.search("zimbabwe", per_page=100)
    assert whole["total"] > 5
    assert archive.search("zimbab")["total"] == 0
    typed = archive.search("zimbab", partial=True, per_page=100)
    assert {h["id"] for h in whole["results"]} <= {h["id"] for h in typed["results"]}
    assert "<mark>Zimbabwe" in " ".join(h["snippet"] for h in typed["results"])
    archive.close()
