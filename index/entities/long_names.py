"""Long official names the tagger cuts in two at "for": "Court of Appeals for the Third
Circuit", "United States District Court for the Western District of Virginia".

A body named for what it serves or where it sits carries a "for (the) ..." tail, which the
tagger often reads as a second name ("Court of Appeals" and "D.C. Circuit"). Where an
organisation whose last word says it is a body ("Court", "Committee", "Institute") is
followed, across nothing but "for" or "for the", by another tagged name that is no
person's, the two are one organisation's name.

A body's name may also start with its place, which the tagger tags as a place of its own:
"U.S. Senate", "Beijing Gender Health Education Institute", "Melbourne City Council". Where
a place is followed, across one space, by an organisation ending in a word for a body (not
a firm: "Bridgend Sony", "Russia WTO" stay apart), the two are the body's name, as CoNLL and
the web annotations both write it.
"""

from __future__ import annotations

import re

from index.entities.furniture import GENERIC_BODIES
from index.entities.tagger import Mention

_FOR = re.compile(r"\s+for(?:\s+the)?\s+")  # across a wrapped line, not a blank one
# Bodies named with a "for" tail: not firms ("Trans World Airlines Inc for DOT"), banks,
# clubs or channels.
_FIRMS = {"bank", "club", "company", "group", "corporation", "network", "channel"}
_BODIES = (GENERIC_BODIES - _FIRMS) | {
    "court",
    "appeals",
    "directorate",
    "board",
    "fund",
    "alliance",
    "coalition",
    "center",
    "centre",
    "university",
    "college",
    "school",
    "academy",
}
# Bodies a place before them belongs to: "U.S. Senate", "Melbourne City Council".
_PLACE_BODIES = _BODIES | {
    "congress",
    "senate",
    "house",
    "parliament",
    "assembly",
    "party",
    "treasury",
    "navy",
    "army",
}


def join_long_names(mentions: list[Mention], text: str) -> list[Mention]:
    """The mentions with each "<body> for (the) <name>" pair, and each "<place> <body>" pair,
    made one organisation."""
    out: list[Mention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if prev is not None and _one_name(prev, m, text):
            surface = " ".join(text[prev.start : m.end].split())
            out[-1] = Mention("organization", surface, prev.start, m.end)
        else:
            out.append(m)
    return out


def _one_name(prev: Mention, m: Mention, text: str) -> bool:
    """Whether two neighbouring mentions are one body's name: a body and its "for" tail, or
    a place and the body after it."""
    if prev.kind == "organization":
        return (
            m.kind != "person"
            and prev.text.split()[-1].lower() in _BODIES
            and bool(_FOR.fullmatch(text, prev.end, m.start))
            and "\n\n" not in text[prev.end : m.start]
        )
    return (
        prev.kind == "place"
        and m.kind == "organization"
        and m.text.split()[-1].lower() in _PLACE_BODIES
        and text[prev.end : m.start] == " "
    )
