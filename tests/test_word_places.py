"""Where names' first words stand (tokenize.WordPlaces): the same places whether a few words
are looked for one by one or many in one pass over the text, in either case."""

from __future__ import annotations

import re

import pytest

from index.entities import tokenize
from index.entities.tokenize import WordPlaces

_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)*")


def _reference(text: str, names: list[str], lower: bool, limit: int) -> dict[str, list[int]]:
    """Every whole run of word characters equal to a name's first word, word by word."""
    first = {re.match(r"\w+", name).group() for name in names}
    wanted = {word.lower() for word in first} if lower else first
    out: dict[str, list[int]] = {}
    for word in re.finditer(r"\w+", text):
        found = word.group().lower() if lower else word.group()
        if found in wanted and (not limit or len(out.get(found, [])) < limit):
            out.setdefault(found, []).append(word.start())
    return out


@pytest.mark.parametrize(("lower", "limit"), [(False, 0), (True, 64), (True, 2)])
def test_few_or_many_names_are_found_where_they_stand_in_every_demo_article(demo, lower, limit):
    checked = {"few": 0, "many": 0}
    for text in (f"{p.article.title}\n\n{p.article.body}" for p in demo):
        names = sorted(set(_CAPITALISED.findall(text)))
        firsts = {re.match(r"\w+", name).group() for name in names}
        for size, chosen in (("few", names[:5]), ("many", names)):
            if size == "many" and len(firsts) <= tokenize._FEW:
                continue  # too few distinct first words for the one-pass path
            got = WordPlaces(text, chosen, lower=lower, limit=limit).places
            assert got == _reference(text, chosen, lower, limit)
            checked[size] += 1
    assert checked["few"] == 293 and checked["many"] >= 20


def test_a_whole_word_not_part_of_a_longer_one_nor_a_lowercasing_that_grows_the_text():
    text = "İstanbul: Banks, a Bank_ and bank; Bank's BANK (Bankers) bank."
    assert WordPlaces(text, ["Bank of England"]).places == {"Bank": [35]}
    lowered = WordPlaces(text, ["Bank"], lower=True).places  # "İ" lowercases to two characters
    assert lowered == {"bank": [29, 35, 42, 57]}
    assert WordPlaces(text.replace("İ", "I"), ["Bank"], lower=True, limit=2).places == {
        "bank": [29, 35]
    }


def test_a_word_inside_many_longer_ones_is_found_in_one_pass_instead(monkeypatch):
    text = "Al Gore also called. " + "Totally normal. " * 500 + "Al again."
    passes = []
    one_pass = WordPlaces._word_by_word
    monkeypatch.setattr(
        WordPlaces, "_word_by_word", lambda self, *args: passes.append(1) or one_pass(self, *args)
    )
    found = WordPlaces(text, ["Al Gore"], lower=True).places
    assert found == _reference(text, ["Al Gore"], True, 0) == {"al": [0, len(text) - 9]}
    assert passes == [1]  # "al" inside 1,500 longer words: past the budget, one pass
    assert WordPlaces("Al Gore also spoke. Al again.", ["Al"], lower=True).places == {"al": [0, 20]}
    assert passes == [1]  # a few hits inside longer words: a scan for the word
