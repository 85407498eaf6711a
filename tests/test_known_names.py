"""The lists of known names the tagger's features read (index/entities/known_names.py)."""

from __future__ import annotations

import pytest

from index.entities import known_names
from index.entities.document_features import document_features
from index.entities.gazetteer import load_gazetteer, lookup_key
from index.entities.tokenize import tokenize


def _words(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


@pytest.fixture
def small_lists(tmp_path, monkeypatch):
    lists = {
        "known_organisations.txt": "# a comment\nBank of England\nBank\nMoody's Investors Service"
        "\nGazprom\nNATO\nKremlin\n",
        "known_places.txt": "Kremlin\nHeathrow Airport\n",
        "known_people.txt": "Vladimir Putin\nPutin\n",
    }
    for name, text in lists.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(known_names, "KNOWN_NAMES_DIR", tmp_path)
    yield
    known_names.load_names.cache_clear()


def test_the_longest_listed_name_marks_its_words_and_neighbours(small_lists):
    words = _words("Officials at the Bank of England and NATO met on Monday.")
    feats = dict(zip(words, known_names.known_name_features(words), strict=True))
    assert feats["Bank"] == ("Lo=B",)  # "Bank of England", not the listed "Bank" alone
    assert feats["of"] == ("Lo=I",) and feats["England"] == ("Lo=E",)
    assert feats["the"] == ("Lo>",)  # a listed name starts just after it
    assert feats["and"] == ("Lo<", "Lo>")  # one ends before it, another starts after
    assert feats["NATO"] == ("Lo=S",) and feats["met"] == ("Lo<",)
    assert feats["Officials"] == () and feats["Monday"] == ()


def test_each_list_marks_with_its_own_prefix(small_lists):
    words = _words("Vladimir Putin left the Kremlin for Heathrow Airport")
    assert known_names.known_name_features(words) == [
        ("Lh=B",),
        ("Lh=E",),
        ("Lh<",),
        ("Lo>", "Lp>"),
        ("Lo=S", "Lp=S"),  # on both lists: both marks
        ("Lo<", "Lp<", "Lp>"),
        ("Lp=B",),
        ("Lp=E",),
    ]


def test_headline_capitals_and_curly_apostrophes_match(small_lists):
    features = known_names.known_name_features
    assert features(_words("GAZPROM CUTS GAS")) == [("Lo=S",), ("Lo<",), ()]
    marks = features(_words("Moody\u2019s Investors Service said"))
    assert marks == [("Lo=B",), ("Lo=I",), ("Lo=I",), ("Lo=E",), ("Lo<",)]
    assert features(_words("gazprom and nato")) == [(), (), ()]  # case


def test_a_missing_list_names_itself(tmp_path):
    with pytest.raises(FileNotFoundError, match="known names .*none.txt"):
        known_names.load_names.__wrapped__(str(tmp_path / "none.txt"))


@pytest.mark.parametrize(("prefix", "file"), known_names.LISTS)
def test_the_shipped_lists_keep_their_rules(prefix, file):
    """Each shipped list read whole, each name kept to the rules it was cleaned by."""
    lines = (known_names.KNOWN_NAMES_DIR / file).read_text(encoding="utf-8").splitlines()
    names = [line for line in lines if not line.startswith("#")]
    assert len(names) > 10_000 and len(set(names)) == len(names)
    assert names == sorted(names)
    places = load_gazetteer()
    for name in names:
        words = _words(name)
        assert 0 < len(words) <= 12 and name == name.strip(), name
        assert not name.startswith("The ") and not set('()[]"') & set(name), name
        assert any(ch.isupper() for ch in name), name
        if len(words) == 1:  # no one- or two-letter acronym
            assert not (name.isupper() and len(name) <= 2), name
        if prefix == "Lo" and len(words) == 1:  # no organisation that is a listed place
            assert not {"p1", "p2"} & set(places.get(lookup_key(name), ())), name
    table = known_names.load_names(str(known_names.KNOWN_NAMES_DIR / file))
    assert sum(map(len, table.values())) == len({tuple(_words(n)) for n in names})


def test_the_shipped_lists_reach_the_features():
    names = known_names.load_names(str(known_names.KNOWN_NAMES_DIR / "known_organisations.txt"))
    listed = next(n for found in names.values() for n in sorted(found) if len(n) == 3)
    sentence = ["Officials", "of", *listed, "said"]
    feats = document_features([sentence])[0]
    assert ["Lo=B" in f for f in feats] == [False, False, True, False, False, False]
    assert "Lo=E" in feats[4] and "Lo<" in feats[5] and "Lo>" in feats[1]
