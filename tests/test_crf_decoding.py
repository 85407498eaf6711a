"""The numpy CRF decoder (index.entities.crf, .scores) against crfsuite's own tagger.

The shipped model and a freshly trained one must get the same tags from both, on
real text: the Wikinews demo that ships with the package, and CoNLL when present.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pycrfsuite
import pytest

from index.entities import scores as scores_module
from index.entities.crf import CrfModel, ModelError
from index.entities.document_features import document_features
from index.entities.features import (
    pair_attributes,
    pair_features,
    sentence_features,
    tagger_features,
    word_features,
)
from index.entities.scores import Scorer
from index.entities.tagger import MODEL_PATH, Tagger
from index.entities.tokenize import sentences
from index.entities.train import read_documents, train

DEMO = Path(__file__).resolve().parents[1] / "index" / "demo" / "wikinews-en.jsonl.gz"


def _demo_sentences(limit: int) -> list[list[list[str]]]:
    """Sentences of words of the first `limit` demo articles, one list per article."""
    out = []
    with gzip.open(DEMO, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            text = f"{record.get('title') or ''}\n\n{record.get('body') or ''}"
            out.append([[t.text for t in s] for s in sentences(text)])
            if len(out) == limit:
                break
    return out


def _crfsuite(path: Path) -> pycrfsuite.Tagger:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger


def test_model_read_exactly_as_crfsuite_lists_it():
    model = CrfModel(MODEL_PATH)
    info = _crfsuite(MODEL_PATH).info()
    assert sorted(model.labels) == sorted(info.labels)
    assert len(info.state_features) > 10_000  # read what we expected: the shipped model
    for (attr, label), weight in info.state_features.items():  # the dump prints 6 decimals
        assert abs(model.state[model.row(attr), model.labels.index(label)] - weight) < 1e-6
    for (a, b), weight in info.transitions.items():
        assert abs(model.transitions[model.labels.index(a), model.labels.index(b)] - weight) < 1e-6
    assert model.row("w=no-such-word-anywhere") == model.unknown
    assert not model.state[model.unknown].any()


def test_not_a_model_is_a_clear_error(tmp_path):
    bad = tmp_path / "model.crfsuite"
    bad.write_bytes(b"not a model at all, just some bytes" * 3)
    with pytest.raises(ModelError, match=str(bad)):
        CrfModel(bad)
    with pytest.raises(ModelError, match="not a crfsuite model"):
        CrfModel(_empty(tmp_path))


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.crfsuite"
    path.write_bytes(b"")
    return path


def test_scores_equal_the_sum_of_each_tokens_feature_weights():
    model = CrfModel(MODEL_PATH)
    scorer = Scorer(model)
    articles = _demo_sentences(12)
    words = [s for article in articles for s in article]
    extras = [extra for article in articles for extra in document_features(article)]
    assert len(words) > 100  # read the demo
    assert sum(bool(feats) for extra in extras for feats in extra) > 500
    for got, rows in (
        (scorer.scores(words), [row for sent in words for row in sentence_features(sent)]),
        (
            scorer.scores(words, extras),
            [row for article in articles for sent in tagger_features(article) for row in sent],
        ),
    ):
        expected = np.array([model.state[[model.row(f) for f in row]].sum(axis=0) for row in rows])
        assert got.shape == expected.shape
        assert np.allclose(got, expected, rtol=0, atol=1e-9)


def test_same_tags_as_crfsuite_on_the_demo():
    ours, theirs = Tagger(), _crfsuite(MODEL_PATH)
    articles = _demo_sentences(60)
    compared = tagged = 0
    for article in articles:
        got = ours.tag(article)
        for words, tags, features in zip(article, got, tagger_features(article), strict=True):
            assert tags == theirs.tag(features), words
            compared += 1
            tagged += sum(t != "O" for t in tags)
    assert compared > 1000 and tagged > 1000


def test_marginals_equal_crfsuites_on_the_demo():
    """Forward-backward in numpy gives crfsuite's own label probabilities, all sentences
    decoded together."""
    ours, theirs = Tagger(), _crfsuite(MODEL_PATH)
    articles = _demo_sentences(12)
    kept = [words for article in articles for words in article if words]
    extras = [
        e for a in articles for words, e in zip(a, document_features(a), strict=True) if words
    ]
    got = ours._model.marginals(ours._scorer.scores(kept, extras), [len(w) for w in kept])
    expected = []
    for article in articles:
        for words, features in zip(article, tagger_features(article), strict=True):
            theirs.set(features)
            for i in range(len(words)):
                expected.append([theirs.marginal(label, i) for label in ours._model.labels])
    assert got.shape == (sum(map(len, kept)), len(ours._model.labels)) and len(kept) > 200
    assert np.allclose(got, expected, atol=1e-9)
    assert np.allclose(got.sum(axis=1), 1.0)
    assert ours._model.marginals(np.zeros((0, 9)), []).shape == (0, 9)


def test_caches_reset_without_changing_tags(monkeypatch):
    monkeypatch.setattr(scores_module, "WORD_LIMIT", 50)
    ours, theirs = Tagger(), _crfsuite(MODEL_PATH)
    articles = _demo_sentences(8)
    for article in articles:
        for tags, features in zip(ours.tag(article), tagger_features(article), strict=True):
            assert tags == theirs.tag(features)
    assert len(ours._scorer._ids) < 50 + max(len({w for s in a for w in s}) for a in articles)


def test_a_freshly_trained_model_decodes_the_same(tmp_path, corpora):

    sample = tmp_path / "mine.conll"
    lines = (corpora / "conll2003" / "eng.train").read_text(encoding="utf-8").split("\n")[:4000]
    assert len(lines) == 4000
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "m.crfsuite"
    train([sample], path, {"max_iterations": 40})
    testa = corpora / "conll2003" / "eng.testa"
    ours, theirs = Tagger(path), _crfsuite(path)
    documents = [[words for words, _ in doc] for doc in read_documents(testa)][:60]
    assert sum(map(len, documents)) > 800  # read eng.testa's first documents
    assert ours.tag_documents(documents) == [
        [theirs.tag(features) for features in tagger_features(doc)] for doc in documents
    ]


def test_empty_sentences_and_single_words():
    tagger = Tagger()
    assert tagger.tag([]) == []
    assert tagger.tag([[], ["Minsk"], []]) == [[], tagger.tag_words(["Minsk"]), []]
    assert tagger.tag_words([]) == []
    theirs = _crfsuite(MODEL_PATH)
    assert tagger.tag_words(["Minsk"]) == theirs.tag(tagger_features([["Minsk"]])[0])
    assert tagger.tag_documents([]) == []
    assert tagger.tag_documents([[], [["Minsk"]]]) == [[], [tagger.tag_words(["Minsk"])]]


@pytest.mark.parametrize(
    ("left", "right"), [("New", "York"), ("a|b", "c"), ("|", "|"), ("x", "||y"), ("U.S.", "-")]
)
def test_pair_attributes_read_back_what_pair_features_build(left, right):
    own_left, own_right = word_features(left)[0], word_features(right)[0]
    of_left, of_right = pair_features(own_left, own_right)
    table = pair_attributes([*of_left, *of_right, "bg+", "sg-x", "w=new"])
    words = (own_left[1][2:], own_right[1][2:])
    shapes = (own_left[2][2:], own_right[2][2:])
    assert table["bg"][words] == (of_left[0], of_right[0])
    assert table["sg"][shapes] == (of_left[1], of_right[1])
