"""The name lists the tagger's features read (index/entities/gazetteer.py)."""

from __future__ import annotations

import json

import pytest

from index.entities import gazetteer
from index.entities.features import word_features


def _census(path, names):
    path.write_text("".join(f"{n:<15}0.100  0.100  {i + 1}\n" for i, n in enumerate(names)))


@pytest.fixture
def sources(tmp_path):
    names, geo = tmp_path / "names", tmp_path / "geo"
    names.mkdir()
    geo.mkdir()
    _census(names / "dist.male.first", ["JAMES"] * 1 + [f"MALE{i}" for i in range(600)])
    _census(names / "dist.female.first", ["MARY", "JAMES"])
    _census(names / "dist.all.last", ["SMITH"] + [f"LAST{i}" for i in range(5000)] + ["YOUNG"])
    (geo / "countries.json").write_text(json.dumps({"BY": {"name": "Belarus"}}))
    (geo / "us_states.json").write_text(json.dumps({"NY": {"name": "New York"}}))
    (geo / "continents.json").write_text(json.dumps({"EU": {"name": "Europe"}}))
    cities = {
        "1": {"name": "Minsk", "asciiname": "Minsk", "population": 2_000_000},
        "2": {"name": "Pinsk", "asciiname": "Pinsk", "population": 130_000},
        "3": {"name": "Young", "asciiname": "Young", "population": 16_000},
        "4": {"name": "Hrodna", "asciiname": "Hrodna", "population": 370_000},
        "5": {"name": "3 de Febrero", "asciiname": "3 de Febrero", "population": 340_000},
        "6": {"name": "Ełk", "asciiname": "Elk", "population": 60_000},
    }
    (geo / "cities15000.json").write_text(json.dumps(cities))
    return names, geo


def test_build_flags_names_by_kind_and_rank(sources, tmp_path):
    out = tmp_path / "gazetteer.tsv"
    n = gazetteer.build(*sources, out)
    table = gazetteer.load_gazetteer.__wrapped__(str(out))
    assert len(table) == n
    assert table["James"] == ("f1",)  # in both lists: the better rank wins
    assert table["Male0"] == ("f1",) and table["Male599"] == ("f2",)  # 500 most common
    assert table["Smith"] == ("s1",) and table["Young"] == ("s2", "p2")
    assert table["Minsk"] == ("p1",) and table["Pinsk"] == ("p2",)
    assert table["Belarus"] == table["Europe"] == ("p1",)  # countries and continents: big
    assert table["New"] == table["York"] == ("pw",)  # words of a longer name
    assert table["Ełk"] == table["Elk"] == ("p2",)  # the name and its ASCII form
    assert "3" not in table and "de" not in table and "Febrero" not in table  # not a name's words
    assert out.read_text(encoding="utf-8").startswith("# Name lists")  # attribution header


def test_a_missing_file_names_the_command_that_builds_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m index.entities.gazetteer"):
        gazetteer.load_gazetteer.__wrapped__(str(tmp_path / "none.tsv"))


def test_headlines_in_capitals_are_looked_up_as_titles():
    assert gazetteer.lookup_key("RUSSIA") == "Russia"
    assert gazetteer.lookup_key("A") == "A" and gazetteer.lookup_key("McCain") == "McCain"


def test_the_shipped_lists_reach_the_tagger_features():
    """Real entries of the shipped file become features of the word and its neighbours."""
    table = gazetteer.load_gazetteer()
    assert len(table) > 100_000
    assert {"f1", "s1"} <= set(table["Donald"]) and "p1" in table["Minsk"]
    own, far_left, left, right, far_right = word_features("Minsk")
    assert "gp1" in own and "-1gp1" in left and "+1gp1" in right
    assert "-2gp1" in far_left and "+2gp1" in far_right
    assert "gp1" in word_features("MINSK")[0]  # a headline's capitals
    assert not any(f.startswith("g") for f in word_features("minsk")[0][1:])  # lower case
    assert "gf1" in word_features("Donald")[0]
