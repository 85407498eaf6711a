"""A query's text is analysed once, by `parse`; every later step (evaluation, ranking,
snippets, did-you-mean) reads the parsed query instead of analysing the same words again.
The analyser's entry points are counted during whole searches (no cache in front of them
would make this pass: the calls themselves are counted)."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from search import Archive, analysis

ENTRY_POINTS = ("analyze", "tokens_with_offsets", "index_term")
# Functions that analyse stored articles (snippets, feedback, more like this, the spelling
# of a correction): their words may be the query's words, but their texts are not the query.
ARTICLE_READERS = {
    "find_matches",
    "_where",
    "feedback",
    "key_terms",
    "surface_forms",
}


@pytest.fixture(scope="module")
def archive(web_index):
    return Archive(web_index)


@pytest.fixture
def analysed(monkeypatch):
    """Every text handed to the analyser, by any module of `search` (index_term only from
    outside search.analysis: inside it, it is the per-token step of the other two)."""
    texts: list[str] = []
    originals = {name: getattr(analysis, name) for name in ENTRY_POINTS}
    for module in [m for name, m in sys.modules.items() if name.startswith("search")]:
        for name, original in originals.items():
            if getattr(module, name, None) is not original:
                continue
            if module is analysis and name == "index_term":
                continue

            def counted(text, *args, _original=original, **kwargs):
                if sys._getframe(1).f_code.co_qualname not in ARTICLE_READERS:
                    texts.append(text)
                return _original(text, *args, **kwargs)

            monkeypatch.setattr(module, name, counted)
    return texts


@pytest.mark.parametrize(
    "q",
    [
        "election results",
        '"prime minister" -football',
        "title:election OR place:london",
        "what did the government say about the elections in the country last week",
        "electoin",  # a misspelling: did-you-mean runs
        "negot* govrenment~",
    ],
)
def test_the_query_text_is_analysed_once_per_search(archive, analysed, q):
    archive.search(q)  # warm: the generation and its caches
    analysed.clear()
    answer = archive.search(q)
    assert answer["query"] == q
    of_the_query = Counter(text for text in analysed if text and text in q)
    assert of_the_query == Counter({q: 1}), f"analysed more than once: {of_the_query}"
