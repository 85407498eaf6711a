"""Document-level entity scores and their spread (eval/doclevel.py), on the held-out
Wikinews articles as `make eval` scores them."""

from __future__ import annotations

import pytest

from eval.doclevel import KINDS, counts, interval, score, scores, wikinews_gold
from eval.entities import WIKINEWS_GOLD, WIKINEWS_SECOND, _extract, wikinews_documents


@pytest.fixture(scope="module")
def held_out():
    docs, _ = wikinews_documents()
    assert len(docs) == 60  # the fixed held-out split (eval/ANNOTATION.md)
    return docs, counts(docs, _extract)


def test_counts_add_up_to_the_micro_averaged_scores(held_out):
    docs, per_document = held_out
    assert per_document.shape == (60, len(KINDS), 3)
    figures = scores(per_document)
    assert figures == score(docs, _extract)
    gold = sum(len(g[kind]) for _, g in docs for kind in KINDS)
    assert figures["overall"]["gold"] == gold
    tp, predicted, _ = per_document.sum(axis=(0, 1))
    assert figures["overall"]["precision"] == pytest.approx(tp / predicted)


def test_the_interval_holds_the_figure_and_narrows_with_more_documents(held_out):
    _, per_document = held_out
    f1 = scores(per_document)["overall"]["f1"]
    low, high = interval(per_document)
    assert low < f1 < high
    assert interval(per_document) == (low, high)  # seeded: the same figures each run
    more_low, more_high = interval(per_document.repeat(4, axis=0))
    assert more_high - more_low < (high - low) * 0.7  # four times the documents: about half
    assert interval(per_document[:0]) == (0.0, 0.0)


def test_the_second_annotation_lists_the_same_articles_from_their_text():
    """The second annotator's lists (eval/ANNOTATION.md, "Agreement"): the same 60 held-out
    articles in the same order, every string written as its article writes it, and the two
    annotations scored against each other as the extractor is scored."""
    docs, texts = wikinews_documents()
    second = wikinews_gold(WIKINEWS_SECOND)
    assert list(second) == list(wikinews_gold(WIKINEWS_GOLD))
    for i, lists in second.items():
        missing = [s for kind in KINDS for s in lists[kind] if s not in texts[i]]
        assert not missing, (i, missing)
    by_text = {texts[i]: lists for i, lists in second.items()}
    agreement = scores(counts(docs, by_text.__getitem__))["overall"]
    assert agreement["gold"] == sum(len(g[kind]) for _, g in docs for kind in KINDS)
    assert agreement["predicted"] == sum(len(g[kind]) for g in second.values() for kind in KINDS)
    assert 0.9 < agreement["f1"] < 1.0  # close, and not a copy of the first
