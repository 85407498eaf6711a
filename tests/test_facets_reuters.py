"""Reuters-21578 (gold place/person/organization tags): facet counts equal direct counts.

For every query in the table, the documents stock Whoosh matches are counted
straight from their records, facet by facet (disjunctively: each facet under
every other selection), and must equal what Archive.search reports; selecting a
value must give a total equal to its count.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bench.oracles import stock_query
from index.readers import Parsed, read_path
from index.writer import ingest
from search import Archive
from search.analysis import fold_value
from search.query import Query, Term, parse
from search.ranking import FIELD_WEIGHTS, plan_query, required_matches
from search.schema import ENTITY_FIELDS, FACET_FIELDS

pytestmark = pytest.mark.slow

TABLE = [
    ("", {}),
    ("oil", {}),
    ("said", {}),
    ("coffee", {}),
    ("oil prices", {}),
    ('"crude oil"', {}),
    ("gold -silver", {}),
    ("trade OR tariffs", {}),
    ("bank date:[1987-03 to 1987-04]", {}),
    ("wheat", {"place": ["USA"]}),
    ("opec", {"place": ["saudi-arabia", "Kuwait"]}),
    ("", {"organization": ["OPEC"], "place": ["ecuador", "venezuela"]}),
    ("interest rates", {"person": ["volcker", "james-baker"], "tag": ["interest"]}),
    ("what did the finance ministers say about the dollar and exchange rates", {}),
]


@pytest.fixture(scope="module")
def reuters(tmp_path_factory, corpora):
    records = {}
    items = []
    for item in read_path(str(corpora / "reuters21578.jsonl.gz")):
        if isinstance(item, Parsed):
            records[item.article.id] = item.article
        items.append(item)
    assert len(items) == len(records) == 20_841
    path = tmp_path_factory.mktemp("reuters")
    ingest(path, items, extract=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Archive, "aliases", lambda self, gen=None: None)  # stock has no aliases
        yield Archive(path), records


def values(article, name):
    if name in ENTITY_FIELDS:
        raw = article.entities.get(name, [])
    elif name == "tag":
        raw = article.tags
    elif name == "category":
        raw = [article.category] if article.category else []
    else:
        return {str(article.date.year)} if article.date else set()
    return {fold_value(v) for v in raw if fold_value(v)}


def direct_counts(matching, records, filters, name):
    """Counts of `name`'s values among matching docs that satisfy every other selection."""
    counts = Counter()
    for doc_id in matching:
        article = records[doc_id]
        if all(
            values(article, other) & {_key(other, v) for v in chosen}
            for other, chosen in filters.items()
            if other != name
        ):
            counts.update(values(article, name))
    return counts


def _key(name, value):
    return value.strip() if name == "year" else fold_value(value)


def stock_matches(archive, text, date_from=None):
    with archive.reading() as gen:
        searcher = gen.searcher
    parsed = parse(text)
    query, mask = stock_query(parsed, FIELD_WEIGHTS, ENTITY_FIELDS)
    if len(parsed.positive) <= 3:
        out = {hit["id"] for hit in searcher.search(query, limit=None, mask=mask)}
    else:  # a long question: documents holding at least required_matches(n) of its words
        seen = Counter()
        dropped = plan_query(text).dropped  # request phrasing ("what", "about") matches nothing
        for clause in parsed.positive:
            if isinstance(clause, Term) and set(clause.terms[:1]) & dropped:
                continue
            single, _ = stock_query(Query(positive=[clause]), FIELD_WEIGHTS, ENTITY_FIELDS)
            seen.update(hit["id"] for hit in searcher.search(single, limit=None))
        need = required_matches(len(parsed.positive))
        out = {doc_id for doc_id, count in seen.items() if count >= need}
    if parsed.ranges:  # the table's only range: March-April 1987
        out = {i for i in out if _in_range(archive, i)}
    return out


def _in_range(archive, doc_id):
    date = archive.article(doc_id)["date"]
    return date is not None and "1987-03" <= date[:7] <= "1987-04"


@pytest.mark.parametrize(("text", "filters"), TABLE)
def test_facet_counts_equal_direct_counts(reuters, text, filters):
    archive, records = reuters
    result = archive.search(text, filters=filters, facet_size=100)
    matching = stock_matches(archive, text)
    selected_total = sum(
        1
        for i in matching
        if all(values(records[i], n) & {_key(n, v) for v in vs} for n, vs in filters.items())
    )
    assert result["total"] == selected_total
    for name in FACET_FIELDS:
        direct = direct_counts(matching, records, filters, name)
        shown = {_key(name, v["value"]): v["count"] for v in result["facets"][name]}
        for value, count in shown.items():
            assert count == direct.get(value, 0), (name, value)
        listed = [v for v in result["facets"][name] if not v["selected"] or v["count"]]
        top = sorted(direct.values(), reverse=True)[: len(listed)]
        assert sorted((v["count"] for v in listed), reverse=True)[: len(top)] == top


@pytest.mark.parametrize(("text", "filters"), TABLE[:8])
def test_selecting_a_value_gives_its_count(reuters, text, filters):
    archive, _ = reuters
    result = archive.search(text, facet_size=3)
    for name in ("place", "organization", "person", "tag"):
        for item in result["facets"][name][:2]:
            chosen = archive.search(text, filters={name: [item["value"]]}, per_page=1)
            assert chosen["total"] == item["count"]
