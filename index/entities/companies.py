"""Firms named after people: "J.P. Morgan and Co", "Shearson Lehman Brothers".

Banks, brokerages and law firms carry their founders' names, and a tagger that
learnt people from web news reads "J.P. Morgan" or "Goldman Sachs" as a person.
The words after the name say otherwise: a name followed by "and Co", "Inc",
"Corp", "Brothers" and the like is a company's, so the mention grows over the
suffix and becomes an organisation, and the same name elsewhere in the article
("J.P. Morgan probably would") is that company too, also where the tagger took in the
suffix itself. A partnership's names are one firm too: "Donaldson, Lufkin and
Jenrette Securities Corp", which the tagger reads as a person and two firms, is
joined over its commas and "and" where the last part ends in a suffix. A name
that never has its suffix in the article is left to consolidation, which knows
the archive's companies (`consolidate`).
"""

from __future__ import annotations

import re

from index.entities.tagger import Mention

# What follows a founder's name in a company's: "and Co", "& Co.", "Inc", "Brothers".
_SUFFIX = re.compile(
    r"(?:,?[ \t]+(?:and|&)[ \t]+Cos?"
    r"|[ \t]+(?:Inc|Corp|Co|Cos|Ltd|Plc|PLC|LLC|Brothers|Bros))(?![\w-])"
)

_SUFFIX_AT_END = re.compile(_SUFFIX.pattern + r"\.?$")  # the firm tagged with its suffix

# Between a partnership's names: ", " or " and " (", and ", " & "), line breaks included.
_BETWEEN = re.compile(r",?\s+(?:(?:and|&)\s+)?")
_AND = re.compile(r"(?:and|&)\s+$")


def companies(mentions: list[Mention], text: str) -> list[Mention]:
    """The mentions with people's names that a corporate suffix follows made organisations."""
    mentions, firms = _partnerships(mentions, text)  # firms: names that are a firm's here
    grown: dict[int, Mention] = {}
    for i, m in enumerate(mentions):
        if m.kind == "person":
            match = _SUFFIX.match(text, m.end)
            if match:
                surface = " ".join(text[m.start : match.end()].split())
                grown[i] = Mention("organization", surface, m.start, match.end())
                firms.add(m.text)
        elif m.kind == "organization":  # tagged whole: "J.P. Morgan and Co." names it too
            suffix = _SUFFIX_AT_END.search(m.text)
            if suffix and suffix.start():
                firms.add(m.text[: suffix.start()])
    if not firms:
        return mentions
    out = []
    for i, m in enumerate(mentions):
        if i in grown:
            out.append(grown[i])
        elif any(g.start <= m.start and m.end <= g.end for g in grown.values()):
            continue  # "Brothers" tagged apart: now inside the company's name
        elif m.kind == "person" and m.text in firms:
            out.append(m._replace(kind="organization"))
        else:
            out.append(m)
    return out


def _partnerships(mentions: list[Mention], text: str) -> tuple[list[Mention], set[str]]:
    """A person's one-word name, then one-word firms and a firm with its suffix, joined by
    commas and a last "and" ("Donaldson, Lufkin and Jenrette Securities Corp"): one firm; and
    the first names, which `companies` makes the firm's elsewhere in the article. A list of
    firms ("IBM, Apple and Digital Equipment Corp") does not start with a person, and a list
    of people and a firm ("Smith, Jones and General Motors Corp") has a person in between:
    both stay as they are."""
    out: list[Mention] = []
    firms: set[str] = set()
    i = 0
    while i < len(mentions):
        end = _partnership_end(mentions, i, text)
        if end is None:
            out.append(mentions[i])
            i += 1
            continue
        first, last = mentions[i], mentions[end]
        surface = " ".join(text[first.start : last.end].split())
        out.append(Mention("organization", surface, first.start, last.end))
        firms.add(first.text)
        i = end + 1
    return out, firms


def _partnership_end(mentions: list[Mention], i: int, text: str) -> int | None:
    """The index of the firm that ends a partnership starting at `mentions[i]`, if any."""
    if mentions[i].kind != "person" or " " in mentions[i].text:
        return None
    for j in range(i + 1, len(mentions)):
        between = text[mentions[j - 1].end : mentions[j].start]
        if not _BETWEEN.fullmatch(between):
            return None
        m = mentions[j]
        if m.kind != "organization":
            return None
        if j > i + 1 and _SUFFIX_AT_END.search(m.text) and _AND.search(between):
            return j
        if " " in m.text:
            return None
    return None
