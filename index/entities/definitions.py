"""Names an article defines once and then repeats: found again where the tagger missed them.

News text introduces a name in full and then shortens it. The tagger judges each
sentence alone, so the short form, an unknown capitalised word to it, is often
left untagged; the article itself says what it is.

- An acronym in brackets after a name is a name of that kind: "the National
  Institute of Allergy and Infectious Diseases (NIAID)". It is taken only when
  it abbreviates the long form (Schwartz & Hearst, 2003): its letters appear in
  order in the long form, the first one starting it, and most of them are
  capitals ("(AP)", "(C-MORE)"; never "(Reuters)", "(R)", "(2019)"). The
  acronym also says where the long form starts: "General Agreement on [Tariffs
  and Trade] (GATT)", tagged from "Tariffs", is the whole name. Where the tagger
  found the acronym itself, every mention of it takes the long form's kind
  ("(RIAA)" and "RIAA's notice" tagged as places).
- The surname of a person named in full is that person wherever it stands alone
  ("Donald Trump … President Trump said"): one label per name and article. Not
  when the surname is also a common word ("Theresa May", "in May"), a country or
  region, tagged as another kind in the article, or next to another capitalised
  word ("Trump Tower", "Ivanka Trump": a different name the tagger missed; "The
  Hill" beside "Fiona Hill": a newspaper).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate

from index.entities.furniture import TITLES, common_word
from index.entities.place_names import places
from index.entities.tagger import Mention
from index.entities.tokenize import WordPlaces, joins

_DEFINED = re.compile(r"[ \t]*\([ \t]*([A-Z][A-Za-z0-9&.-]{1,11})[ \t]*\)")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_JOINERS = frozenset({"of", "on", "for", "and", "the", "de", "du", "des", "la", "le"})
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'’.-]*)[ \t]+$")
_WORD_AFTER = re.compile(r"[ \t]+([^\W\d_])")


def with_definitions(mentions: list[Mention], text: str) -> list[Mention]:
    """The mentions plus the acronyms and lone surnames the article defines."""
    mentions = _defined_kinds(mentions, text)
    added = _acronyms(mentions, text)
    added += _surnames(mentions + added, text)
    return sorted(mentions + added, key=lambda m: m.start)


def _defined_kinds(mentions: list[Mention], text: str) -> list[Mention]:
    """Every mention of a bracketed acronym in the kind of the name it abbreviates there
    ("Recording Industry Association of America (RIAA)": "RIAA's notice" is no place)."""
    kinds = {}
    for m in mentions:
        match = _DEFINED.match(text, m.end)
        if match and m.kind != "person" and abbreviates(match.group(1), m.text):
            kinds.setdefault(match.group(1), m.kind)  # a person is no acronym: a misread
    return [m._replace(kind=kinds.get(m.text, m.kind)) for m in mentions]


def abbreviates(short: str, long: str) -> bool:
    """True if `short` reads as an acronym of `long` ("NIAID" of "National Institute …")."""
    letters = [c.lower() for c in short if c.isalpha()]
    capitals = sum(c.isupper() for c in short)
    if len(letters) < 2 or capitals < 2 or capitals * 2 < len(letters):
        return False
    rest = " ".join(long.lower().split())
    if not rest or rest[0] != letters[0]:
        return False
    pos = 1
    for letter in letters[1:]:
        pos = rest.find(letter, pos) + 1
        if not pos:
            return False
    return True


def _acronyms(mentions: list[Mention], text: str) -> list[Mention]:
    """Bracketed acronyms defined by a mention; the mention itself, when the acronym shows
    it began earlier, replaced by the whole name (the acronym's mention then follows it)."""
    added = []
    for m in list(mentions):
        match = _DEFINED.match(text, m.end)
        if not match or m not in mentions:
            continue
        short = match.group(1)
        if not abbreviates(short, m.text):
            whole = _extended(m, short, text)
            if whole is None:
                continue
            mentions[mentions.index(m)] = whole
            # what the whole name swallowed goes ("General Agreement" tagged apart)
            mentions[:] = [o for o in mentions if o is whole or not _inside(o, whole)]
        start, end = match.span(1)
        if not any(o.start < end and start < o.end for o in mentions):
            added.append(Mention(m.kind, short, start, end))
    return added


def _inside(inner: Mention, outer: Mention) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _extended(m: Mention, short: str, text: str) -> Mention | None:
    """The mention grown leftwards over up to four words until `short` abbreviates it."""
    line_start = text.rfind("\n", 0, m.start) + 1
    words = list(_WORD.finditer(text, line_start, m.start))[-4:]
    for word in reversed(words):
        surface = text[word.start() : m.end]
        if word.group()[0].isupper() and abbreviates(short, surface):
            return Mention(m.kind, " ".join(surface.split()), word.start(), m.end)
        if not (word.group()[0].isupper() or word.group() in _JOINERS):
            return None
    return None


def _surnames(mentions: list[Mention], text: str) -> list[Mention]:
    other_kinds = {m.text for m in mentions if m.kind != "person"}
    names = {_surname(m.text) for m in mentions if m.kind == "person"} - {None} - other_kinds
    spans = sorted((m.start, m.end) for m in mentions)
    starts = [start for start, _ in spans]
    reach = list(accumulate((end for _, end in spans), max))  # furthest end so far
    words = WordPlaces(text, names)
    added = []
    for name in names:
        for start, end in _standalone(name, text, words):
            before = bisect_left(starts, end)  # the mentions that start before it ends
            if before and reach[before - 1] > start:  # one of them ends after it starts
                continue
            if _in_other_name(text, start, end):
                continue
            added.append(Mention("person", name, start, end))
    return added


def _standalone(name: str, text: str, words: WordPlaces) -> Iterator[tuple[int, int]]:
    """Where `name` (a word starting with a letter) occurs as a word of its own: not inside
    a longer word, nor after ' . -."""
    for start in words.candidates(name):
        end = start + len(name)
        if (
            text.startswith(name, start)
            and not joins(text[start - 1 : start], "'’.-")
            and not joins(text[end : end + 1], "-")
        ):
            yield start, end


def _in_other_name(text: str, start: int, end: int) -> bool:
    """A capitalised word just before (not a title; "The" makes a title of a publication:
    "from The Hill"), or any just after: another name."""
    before = _WORD_BEFORE.search(text[max(0, start - 40) : start])
    word = before.group(1) if before else ""
    if word[:1].isupper() and (word.lower() not in TITLES or word == "The"):
        return True
    after = _WORD_AFTER.match(text, end)
    return bool(after and after.group(1).isupper())


def _surname(full: str) -> str | None:
    """The last word of a full name, if it can stand alone for the person."""
    words = [w for w in full.split() if w.lower() not in _SUFFIXES]
    if len(words) < 2:
        return None
    last = words[-1]
    if len(last) < 3 or not last[0].isupper() or last.isupper():
        return None
    low = last.lower()
    if common_word(low) or low in places():
        return None
    return last
