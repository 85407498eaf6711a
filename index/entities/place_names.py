"""The place list (`places.txt`): names that mean a place whenever they stand alone.

Countries, continents, world regions, US states and the like. The rules after tagging read
it (`furniture`, `definitions`), and so does the tagger: a listed name it calls CoNLL's
MISC ("South Caucasus" read like "Caucasian") is still the place.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_LIST = Path(__file__).with_name("places.txt")


@cache
def places() -> frozenset[str]:
    """Listed names, casefolded with single spaces."""
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(
        " ".join(line.casefold().split()) for line in lines if line.strip() and line[0] != "#"
    )
