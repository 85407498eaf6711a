"""The IR evaluation's measures and its reading of the test collections."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_ir():
    spec = importlib.util.spec_from_file_location("eval_ir", ROOT / "eval" / "ir.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_ir"] = module
    spec.loader.exec_module(module)
    return module


ir = _load_ir()


# --- measures, on rankings small enough to compute by hand ---------------------------------


def test_average_precision_by_hand():
    # Relevant 1 at rank 1 (P=1/1), 3 at rank 3 (P=2/3); 6 is never retrieved.
    assert ir.average_precision([1, 2, 3, 4, 5], {1, 3, 6}) == pytest.approx((1 + 2 / 3) / 3)
    assert ir.average_precision([1, 2, 3, 4, 5], {1, 3, 6}) == pytest.approx(5 / 9)


def test_average_precision_extremes():
    assert ir.average_precision([7, 8, 9], {7, 8, 9}) == 1.0
    assert ir.average_precision([4, 5], {1}) == 0.0
    assert ir.average_precision([], {1}) == 0.0
    assert ir.average_precision([1, 2], set()) == 0.0


def test_average_precision_stops_at_depth():
    # The relevant document at rank 2 counts at depth 2, not at depth 1.
    assert ir.average_precision([9, 1], {1}, depth=2) == pytest.approx(1 / 2)
    assert ir.average_precision([9, 1], {1}, depth=1) == 0.0
    ranking = list(range(1000, 1100)) + [1]  # 101st
    assert ir.average_precision(ranking, {1}) == 0.0


def test_ndcg_by_hand():
    # Gains at ranks 2 and 3: 1/log2(3) + 1/log2(4); ideal: ranks 1 and 2.
    expected = (1 / math.log2(3) + 1 / 2) / (1 + 1 / math.log2(3))
    assert ir.ndcg([5, 1, 3], {1, 3}) == pytest.approx(expected)
    assert ir.ndcg([1, 3, 5], {1, 3}) == 1.0
    assert ir.ndcg([5, 6], {1}) == 0.0


def test_ndcg_cuts_at_k_and_caps_the_ideal_at_k():
    # 12 relevant documents: the ideal DCG@10 has 10 gains, not 12.
    relevant = set(range(12))
    assert ir.ndcg(list(range(12)), relevant) == 1.0
    # A relevant document at rank 11 earns nothing at k=10.
    assert ir.ndcg([100] * 10 + [1], {1}) == 0.0
    assert ir.ndcg([100, 1], {1}, k=1) == 0.0


def test_evaluate_averages_over_judged_queries_only():
    collection = ir.Collection(
        "tiny",
        docs=[],
        queries=[(1, "a"), (2, "b"), (3, "c")],
        qrels={1: {10}, 3: {30, 31}},  # query 2 is not judged
    )
    rankings = {"a": [10], "b": [20], "c": [99, 30]}
    result = ir.evaluate(collection, lambda text: rankings[text])
    assert result["queries"] == 2
    assert result["map"] == pytest.approx((1.0 + (1 / 2) / 2) / 2)


# --- reading the collections -----------------------------------------------------------------


def test_parse_records_sections():
    text = ".I 1\n.T\nA title\non two lines\n.A\nSomeone\n.W\n  the text\n.X\n1\t2\t3\n.I 7\n.W\nx"
    assert ir.parse_records(text) == [
        (1, {"T": "A title on two lines", "A": "Someone", "W": "the text", "X": "1 2 3"}),
        (7, {"W": "x"}),
    ]


def test_cran_queries_are_numbered_by_position():
    text = ".I 001\n.W\nfirst question .\n.I 002\n.W\nsecond\n.I 004\n.W\nthird\n"
    assert ir.cran_queries(text) == [(1, "first question ."), (2, "second"), (3, "third")]


def test_cran_qrels_drop_minus_one_rows():
    qrels = ir.parse_cran_qrels("1 184 2 \n1 29 4\n1 486 -1\n2 12 1\n")
    assert qrels == {1: {184, 29}, 2: {12}}


def test_pair_qrels_columns():
    assert ir.parse_pair_qrels("     1     28\t0\t0.000000\n1 35 0 0.0\n", 1) == {1: {28, 35}}
    assert ir.parse_pair_qrels("1 0 13 1\n2 0 14 1\n", 2) == {1: {13}, 2: {14}}


@pytest.fixture(scope="module")
def collections(corpora):
    found = {c.name: c for c in ir.load_collections(corpora)}
    expected = {"CRAN": 1398, "CISI": 1460, "MED": 1033}  # with text: two CRAN ones are empty
    assert {name: len(found[name].docs) for name in expected} == expected
    return found


def test_real_cran_mapping(collections):
    cran = collections["CRAN"]
    assert len(cran.queries) == 225
    assert [q for q, _ in cran.queries] == list(range(1, 226))
    # cranqrel's query 3 is the third query of cran.qry, which cran.qry numbers 004.
    assert cran.queries[2] == (
        3,
        "what problems of heat conduction in composite slabs have been solved so far .",
    )
    assert cran.queries[0][1].startswith("what similarity laws must be obeyed")
    assert {184, 29, 31, 12, 51} <= cran.qrels[1]
    assert 486 not in cran.qrels[1]  # the "-1" row
    assert len(cran.judged) == 225
    assert len(cran.docs) == 1398  # two records of cran.all.1400 are empty


def test_real_collection_sizes(collections):
    assert (len(collections["CISI"].docs), len(collections["CISI"].judged)) == (1460, 76)
    assert (len(collections["MED"].docs), len(collections["MED"].judged)) == (1033, 30)
    assert all(title == "" for _, title, _ in collections["MED"].docs)


# --- rank_ours: the search engine on a tiny index built by the real ingest path ----------


@pytest.fixture(scope="module")
def tiny_archive(tmp_path_factory):
    docs = [
        (
            1,
            "Ambassador presses president",
            "The ambassador urged the president to change "
            "his policies on trade; the envoy's efforts were praised.",
        ),
        (2, "President visits factory", "The president toured a car factory on Monday."),
        (3, "Weather", "Rain is expected across the region this week."),
        (4, "Trade policy", "The government published new trade policies."),
    ]
    collection = ir.Collection("tiny", docs, [], {})
    archive = ir.ours_index(collection, tmp_path_factory.mktemp("ir") / "index")
    yield archive
    archive.close()


def test_long_question_ranks_the_right_article_first(tiny_archive):
    question = "efforts of the ambassador to get the president to change his policies"
    ranked = ir.rank_ours(tiny_archive, question)
    assert ranked[0] == "tiny-1"
    assert "tiny-3" not in ranked  # shares no word with the question


def test_short_query_matches_all_its_words(tiny_archive):
    assert ir.rank_ours(tiny_archive, "president factory") == ["tiny-2"]
    assert ir.rank_ours(tiny_archive, "president weather") == []


def test_rank_ours_pages_to_the_depth(tiny_archive, monkeypatch):
    everything = ir.rank_ours(tiny_archive, "president OR trade OR rain")
    assert sorted(everything) == ["tiny-1", "tiny-2", "tiny-3", "tiny-4"]
    monkeypatch.setattr(ir, "MAX_PER_PAGE", 2)
    assert ir.rank_ours(tiny_archive, "president OR trade OR rain") == everything
    assert ir.rank_ours(tiny_archive, "president OR trade OR rain", limit=3) == everything[:3]
