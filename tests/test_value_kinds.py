"""The second look at values (index.entities.value_kinds): certainty, weights, revisions.

Its gain is measured, not asserted: `python eval/value_kinds_train.py --cv` (README,
"A second look at values"). Here: that the tagger's certainty lines up with its tokens,
that the shipped weights load, and that revising keeps to the values it was given and makes
the revisions the shipped weights make on real demo articles.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from eval.value_kinds_train import outcome, write
from index.entities import extract_entities, first_values
from index.entities.folding import KINDS, key
from index.entities.furniture import clean_text
from index.entities.tagger import CERTAINTY_COLUMNS, Tagger
from index.entities.tokenize import tokenize
from index.entities.value_kinds import (
    OUTCOMES,
    WEIGHTS_PATH,
    load_weights,
    probabilities,
    revise,
    value_features,
    weights_from,
)

DEMO = Path(__file__).resolve().parents[1] / "index" / "demo" / "wikinews-en.jsonl.gz"


def demo_articles() -> dict[str, str]:
    with gzip.open(DEMO, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return {row["id"]: clean_text(f"{row['title']}\n\n{row['body']}") for row in rows}


def test_certainty_follows_the_tokens():
    text = "Angela Merkel met Emmanuel Macron in Paris on Tuesday."
    [(mentions, certainty)] = Tagger().readings([text])
    assert certainty.starts.tolist() == [t.start for t in tokenize(text)]
    assert certainty.probs.shape == (len(tokenize(text)), len(CERTAINTY_COLUMNS))
    assert np.allclose(certainty.probs.sum(axis=1), 1.0)
    columns = {"person": "PER", "organization": "ORG", "place": "LOC"}
    assert {(m.kind, m.text) for m in mentions} == {
        ("person", "Angela Merkel"),
        ("person", "Emmanuel Macron"),
        ("place", "Paris"),
    }
    for m in mentions:  # each name's tokens: its own kind most likely
        first, stop = np.searchsorted(certainty.starts, [m.start, m.end])
        rows = certainty.probs[first:stop]
        assert len(rows) == len(m.text.split())
        assert (rows.argmax(axis=1) == CERTAINTY_COLUMNS.index(columns[m.kind])).all()
    met = certainty.probs[certainty.starts.tolist().index(text.index("met"))]
    assert met[CERTAINTY_COLUMNS.index("O")] > 0.9


def test_shipped_weights_load():
    weights = load_weights()
    assert WEIGHTS_PATH.read_text(encoding="utf-8").startswith("# Weights of")
    assert weights.matrix.shape == (len(weights.rows), len(OUTCOMES))
    assert len(weights.rows) > 1000  # read what was shipped: every feature family
    assert {"k=person", "sure", "untagged", "in_longer=organization"} <= weights.rows.keys()


def test_weights_written_are_read_back(tmp_path):
    table = {"k=person": (1.5, -0.25, 0.0, 0.125), "sure": (0.0, 0.0, 0.0, -2.0)}
    path = tmp_path / "weights.tsv"
    assert write(weights_from(table), path) == 4  # zero weights are left out
    back = load_weights.__wrapped__(str(path))
    for feature, row in table.items():
        assert back.matrix[back.rows[feature]].tolist() == list(row)


def test_probabilities_are_a_softmax_of_summed_weights():
    weights = weights_from({"a": (1.0, 0.0, 0.0, 0.0), "b": (0.0, 2.0, 0.0, 0.0)})
    odds = probabilities([{"a": 1.0, "b": 0.5, "unknown": 3.0}, {}], weights)
    expected = np.exp([1.0, 1.0, 0.0, 0.0]) / np.exp([1.0, 1.0, 0.0, 0.0]).sum()
    assert np.allclose(odds, [expected, [0.25] * 4])


def test_outcome_is_the_annotated_kind_of_the_string():
    gold = {"person": {"Hasbro"}, "organization": {"Hasbro", "NATO"}, "place": set()}
    assert outcome("organization", "HASBRO", gold) == "organization"  # its own kind first
    assert outcome("place", "Hasbro", gold) == "person"
    assert outcome("person", "NATO", gold) == "organization"
    assert outcome("place", "Minsk", gold) == "none"


def test_revising_keeps_to_the_values_it_was_given():
    texts = list(demo_articles().values())[:80]
    changed = 0
    for text, first in zip(texts, first_values(texts), strict=True):
        values = first.values
        features = value_features(first, text)
        assert [(k, v) for k, v, _ in features] == [(k, v) for k in KINDS for v in values[k]]
        revised = revise(first, text)
        given = {key(v) for kind in KINDS for v in values[kind]}
        out = [(kind, key(v)) for kind in KINDS for v in revised[kind]]
        assert {k for _, k in out} <= given and len(out) == len(set(out))
        for kind in KINDS:  # a value a rule made or changed stays as the rule left it
            ruled = {key(v) for v in values[kind]} & first.ruled
            assert ruled <= {key(v) for v in revised[kind]}
        changed += sum(len(values[kind]) != len(revised[kind]) for kind in KINDS)
    assert changed > 0  # the weights do revise real articles


@pytest.mark.parametrize(
    ("article", "value", "before", "after"),
    [
        # a kind changed, here for the worse: "without influence from the White House", the
        # administration (as annotated), which the tagger read right, becomes the building
        ("wikinews-US_federal_agency_announces_plans_to", "White House", "organization", "place"),
        # an Egyptian god, whom the guidelines do not annotate
        ("wikinews-Ancient_Egyptians_collected_wild_ibi", "Thoth", "person", None),
        # the last word of a costume maker's name, "Don't Hug Cacti", no person
        ("wikinews-Fur_fans_flock_to_Toronto-s_Fur", "Cacti", "person", None),
    ],
)
def test_revisions_of_the_shipped_weights(article, value, before, after):
    texts = demo_articles()
    [ident] = [i for i in texts if i.startswith(article)]
    [first] = first_values([texts[ident]])
    assert value in first.values[before]  # the tagger's reading, which the second look revises
    found = extract_entities(*texts[ident].split("\n\n", 1))
    kinds = [kind for kind in KINDS if value in found[kind]]
    assert kinds == ([after] if after else [])
