"""The safe query parser: syntax it understands, and everything else read as plain words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from bench.oracles import stock_query
from search.query import (
    AnyOf,
    DateRange,
    Phrase,
    Term,
    highlight_terms,
    parse,
)

CASES = [
    ("putin", [Term("putin")], []),
    ('"gas prices"', [Phrase("gas prices")], []),
    ("oil -opec", [Term("oil")], [Term("opec")]),
    ('oil -"crude oil"', [Term("oil")], [Phrase("crude oil")]),
    ("title:minsk", [Term("minsk", "title")], []),
    ("person:putin", [Term("putin", "person")], []),
    ('person:"Vladimir Putin"', [Term("Vladimir Putin", "person")], []),
    ("ORGANIZATION:csto", [Term("csto", "organization")], []),
    ("negot*", [Term("negot", None, "prefix")], []),
    ("lukashenko~", [Term("lukashenko", None, "fuzzy", 1)], []),
    ("lukashenko~2", [Term("lukashenko", None, "fuzzy", 2)], []),
    ("coffee OR cocoa", [AnyOf((Term("coffee"), Term("cocoa")))], []),
    ("a OR sugar OR tea", [AnyOf((Term("sugar"), Term("tea")))], []),
    ("e-mail", [Phrase("e-mail")], []),
]


@pytest.mark.parametrize(("text", "positive", "negative"), CASES)
def test_syntax(text, positive, negative):
    parsed = parse(text)
    assert parsed.positive == positive
    assert parsed.negative == negative


@pytest.mark.parametrize(
    "text",
    ['"unclosed phrase', "AND", "OR", "a AND", "(oil", "oil]", "[[[", "title:", '"', "-", "*", "~"],
)
def test_broken_syntax_is_plain_words(text):
    parsed = parse(text)
    for clause in parsed.positive:
        assert isinstance(clause, Term | Phrase | AnyOf)


def test_stray_quote_keeps_the_words():
    assert parse('oil "prices').positive == [Term("oil"), Term("prices")]


def test_lone_operators_are_stop_words():
    assert parse("AND").positive == []
    assert parse("oil AND gas").positive == [Term("oil"), Term("gas")]
    assert parse("OR gas").positive == [Term("gas")]


def test_date_ranges():
    assert parse("date:[2017-01 to 2017-06] gas").ranges == [DateRange("2017-01", "2017-06")]
    assert parse("date:[2017 TO ]").ranges == [DateRange("2017", None)]
    assert parse("date:2017").ranges == [DateRange("2017", "2017")]
    assert parse("date:[garbage").positive == []  # the bracket text analyses to a word
    assert parse("date:[garbage]").ranges == []


def test_duplicates_are_one_clause():
    assert parse("gas Gas GAS").positive == [Term("gas")]


def test_highlight_terms_and_phrases():
    parsed = parse('Prices "crude oil" person:Putin -opec')
    assert highlight_terms(parsed) == {"price", "crude", "oil", "putin"}


def test_stock_query_shape():
    weights = {"title": 1.0, "body": 1.0, "person": 2.0}
    query, mask = stock_query(parse("gas -oil"), weights, ("person",))
    assert isinstance(query, wq.And) and isinstance(mask, wq.Or)
    long, mask = stock_query(parse("one two three four five six"), weights, ("person",))
    assert isinstance(long, wq.Or) and mask is None
    assert isinstance(stock_query(parse(""), weights, ())[0], wq.Every)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('abc -"():*~[]ORANDtoé12\\')), max_size=40))
def test_parser_never_fails(text):
    parsed = parse(text)
    assert len(parsed.positive) <= 64
