"""The organisation list the tagger's features read (index/entities/org_names.py)."""

from __future__ import annotations

import pytest

from index.entities import org_names
from index.entities.document_features import document_features
from index.entities.gazetteer import load_gazetteer, lookup_key
from index.entities.tokenize import tokenize


def _words(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


@pytest.fixture
def small_list(tmp_path, monkeypatch):
    path = tmp_path / "organisations.txt"
    path.write_text(
        "# a comment\nBank of England\nBank\nMoody's Investors Service\nGazprom\nNATO\n",
        encoding="utf-8",
    )
    table = org_names.load_org_names.__wrapped__(str(path))
    monkeypatch.setattr(org_names, "load_org_names", lambda: table)
    return table


def test_the_longest_listed_name_marks_its_words_and_neighbours(small_list):
    words = _words("Officials at the Bank of England and NATO met on Monday.")
    feats = dict(zip(words, org_names.org_name_features(words), strict=True))
    assert feats["Bank"] == ("Lo=B",)  # "Bank of England", not the listed "Bank" alone
    assert feats["of"] == ("Lo=I",) and feats["England"] == ("Lo=E",)
    assert feats["the"] == ("Lo>",)  # a listed name starts just after it
    assert feats["and"] == ("Lo<", "Lo>")  # one ends before it, another starts after
    assert feats["NATO"] == ("Lo=S",) and feats["met"] == ("Lo<",)
    assert feats["Officials"] == () and feats["Monday"] == ()


def test_headline_capitals_and_curly_apostrophes_match(small_list):
    assert org_names.org_name_features(_words("GAZPROM CUTS GAS")) == [("Lo=S",), ("Lo<",), ()]
    marks = org_names.org_name_features(_words("Moody\u2019s Investors Service said"))
    assert marks == [("Lo=B",), ("Lo=I",), ("Lo=I",), ("Lo=E",), ("Lo<",)]
    assert org_names.org_name_features(_words("gazprom and nato")) == [(), (), ()]  # case


def test_a_missing_list_names_itself(tmp_path):
    with pytest.raises(FileNotFoundError, match="organisation names .*none.txt"):
        org_names.load_org_names.__wrapped__(str(tmp_path / "none.txt"))


def test_the_shipped_list_keeps_its_rules_and_reaches_the_features():
    """The shipped list: read whole, each name kept to the rules it was cleaned by, and
    its names marked in a document's tagger features."""
    lines = org_names.ORG_NAMES_PATH.read_text(encoding="utf-8").splitlines()
    names = [line for line in lines if not line.startswith("#")]
    assert len(names) > 30_000 and len(set(names)) == len(names)
    assert names == sorted(names)
    places = load_gazetteer()
    for name in names:
        words = _words(name)
        assert 0 < len(words) <= 12 and name == name.strip(), name
        assert not name.startswith("The ") and not set('()[]"') & set(name), name
        assert any(ch.isupper() for ch in name), name
        if len(words) == 1:  # no one-word place, no one- or two-letter acronym
            assert not {"p1", "p2"} & set(places.get(lookup_key(name), ())), name
            assert not (name.isupper() and len(name) <= 2), name
    table = org_names.load_org_names()
    assert sum(map(len, table.values())) == len({tuple(_words(n)) for n in names})
    listed = next(n for n in names if len(_words(n)) == 3 and _words(n)[1] == "of")
    sentence = ["Officials", "of", *_words(listed), "said"]
    feats = document_features([sentence])[0]
    assert ["Lo=B" in f for f in feats] == [False, False, True, False, False, False]
    assert "Lo=E" in feats[4] and "Lo<" in feats[5] and "Lo>" in feats[1]
