"""One entity across Cyrillic and Latin scripts, joined from the archive's stored values.

A Cyrillic value ("Владимир Путин", from a Russian article) joins the Latin value
the archive already holds for the same entity ("Vladimir Putin") when there is
evidence that they are one:

1. **The alias file** lists both as spellings of one entity (Лукашенко,
   Лукашэнка, Lukashenko and Lukashenka): that is enough on its own.
2. **Transliteration and context.** A Cyrillic value is a candidate for a Latin
   one when one of its romanisations matches it on a folded skeleton (`skeleton`:
   Zelenskiy, Zelenskyy and Zelensky meet; j and y, ia and ya...): iuliia's
   Russian schemes the news agencies and passports use, and the two Belarusian
   ones in belarusian.toml (the national system, Лукашэнка -> Lukašenka, and the
   English press's, Ціханоўская -> Tsikhanouskaya). People match on the surname
   and the initials of the other names ("Алексей Навальный" ~ "Alexei Navalny").
   A candidate is joined only when the articles naming each value also name at
   least `MIN_SHARED` of the same other entities -- entities that are themselves
   one across the scripts: the same spelling in both, an alias-file join, or a
   join made earlier (joins are made in rounds, so Putin's join can rest on
   Minsk's, and Minsk's on Lukashenka's). Two different people whose names
   transliterate alike (a Bulgarian footballer Ivan Petrov, a Russian banker Иван
   Петров) share no such context and stay apart. Where several Latin values
   qualify, the one sharing most context wins; a tie joins none.

Nothing joins without evidence: a Cyrillic value with no Latin value in the
archive stays as it is (searching still finds it through the alias file).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

import iuliia

from index.entities.folding import KINDS, best_spelling, key
from search.aliases import Aliases
from search.analysis import fold
from search.scripts import CYRILLIC, LATIN, script

Entities = dict[str, list[str]]
Pairs = dict[str, dict[str, str]]  # kind -> value -> its spelling in the other script
Value = tuple[str, str]  # (kind, key)

BELARUSIAN_TABLES = Path(__file__).with_name("belarusian.toml")
RUSSIAN_SCHEMES = (
    iuliia.WIKIPEDIA,
    iuliia.BGN_PCGN,
    iuliia.ICAO_DOC_9303,  # passports since 2013
    iuliia.MVD_782,  # passports before
    iuliia.MOSMETRO,
    iuliia.YANDEX_MAPS,
    iuliia.SCIENTIFIC,
    iuliia.ALA_LC,
)
MIN_SHARED = 2  # other entities both values' articles must name to join on transliteration
MAX_ROUNDS = 5
_CONSONANTS = frozenset("бвгґджзклмнпрстфхцчшщ")
_APOSTROPHES = frozenset("'’ʼ")
_CYRILLIC_LETTER = re.compile("[\u0400-\u052f]")  # a letter a Russian scheme left as it was


@cache
def _belarusian_tables() -> list[dict]:
    with open(BELARUSIAN_TABLES, "rb") as handle:
        return list(tomllib.load(handle).values())


def _belarusian(text: str, table: dict) -> str:
    """`text` romanised by one belarusian.toml table (lowercase)."""
    out: list[str] = []
    previous = " "
    text = text.lower()
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in table["pairs"]:
            out.append(table["pairs"][pair])
            previous, i = pair[-1], i + 2
            continue
        char = text[i]
        if char in table["iotated"]:
            out.append(table["iotated"][char][1 if previous in _CONSONANTS else 0])
        elif char not in _APOSTROPHES:
            out.append(table["letters"].get(char, char))
        previous, i = char, i + 1
    return "".join(out)


_SKELETON_RULES = [
    (re.compile(r"['`ʹʼ·]"), ""),
    (re.compile(r"[^a-z0-9]+"), " "),
    (re.compile(r"j"), "y"),
    (re.compile(r"x"), "ks"),  # Alexei, Aleksey
    (re.compile(r"i(?=[aeou])"), "y"),  # ia ie io iu: Aliaksandr, Alyaksandr
    (re.compile(r"iy(?=[aeou])"), "y"),  # Mariya, Maria
    (re.compile(r"(?:iy|ii|yy|yi)\b"), "y"),  # Zelenskiy, Zelenskii, Zelenskyy, Zelensky
    (re.compile(r"(?<=[aeou])i\b"), "y"),  # Sergei, Sergey; Nikolai, Nikolay
    (re.compile(r"(?<![aeiouy])ye"), "e"),  # Yeltsin, Eltsin; Siarhiej, Syarhey
]


@lru_cache(maxsize=100_000)
def skeleton(latin: str) -> str:
    """What spellings of one name in Latin letters share: folded, j/y, ia/ya and the like."""
    text = fold(latin)
    for pattern, replacement in _SKELETON_RULES:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


@lru_cache(maxsize=100_000)
def romanisations(cyrillic: str) -> frozenset[str]:
    """The skeletons of a Cyrillic value under every Russian and Belarusian scheme."""
    spelled = {schema.translate(cyrillic) for schema in RUSSIAN_SCHEMES}
    spelled.update(_belarusian(cyrillic, table) for table in _belarusian_tables())
    return frozenset(skeleton(s) for s in spelled if not _CYRILLIC_LETTER.search(s))


def _lookup_keys(kind: str, skel: str) -> list[str]:
    """Where a value's skeleton is filed: a person by surname, anything else whole."""
    if kind == "person" and skel:
        return [skel.split()[-1]]
    return [skel]


def _alike(kind: str, a: str, b: str) -> bool:
    """Two skeletons naming the same name: whole, or a person's surname plus initials."""
    if a == b:
        return True
    if kind != "person":
        return False
    x, y = a.split(), b.split()
    return (
        len(x) == len(y)
        and x[-1] == y[-1]
        and all(p[0] == q[0] or p == q for p, q in zip(x[:-1], y[:-1], strict=True))
    )


class CrossScript:
    """The joins: (kind, key of a Cyrillic value) <-> the Latin value it is one entity with."""

    def __init__(self, latin: dict[Value, str], cyrillic: dict[Value, str]):
        self.latin = latin  # Cyrillic value -> Latin spelling
        self.cyrillic = cyrillic  # Latin value -> its most used Cyrillic spelling

    @classmethod
    def build(cls, articles: Iterable[Entities], aliases: Aliases) -> CrossScript:
        """Learn the joins from every article's (consolidated) stored values."""
        articles = list(articles)
        if not any(
            not v.isascii() and _CYRILLIC_LETTER.search(v)
            for entities in articles
            for listed in entities.values()
            for v in listed
        ):
            return cls({}, {})  # nothing to join: an archive in one script pays one scan
        values: list[set[Value]] = []
        spellings: dict[Value, Counter] = {}
        for entities in articles:
            held: set[Value] = set()
            for kind in KINDS:
                for value in entities.get(kind) or []:
                    v = (kind, key(value))
                    held.add(v)
                    spellings.setdefault(v, Counter())[value] += 1
            values.append(held)
        spelled = {v: best_spelling(c) for v, c in spellings.items()}
        articles_of: dict[Value, list[int]] = {}
        for i, held in enumerate(values):
            for v in held:
                articles_of.setdefault(v, []).append(i)
        count = {v: len(a) for v, a in articles_of.items()}
        latin = [v for v in spelled if script(spelled[v]) == LATIN]
        cyrillic = [v for v in spelled if script(spelled[v]) == CYRILLIC]
        if not cyrillic or not latin:
            return cls({}, {})
        joins = _alias_joins(cyrillic, latin, spelled, count, aliases)
        candidates = _candidates(cyrillic, latin, spelled, joins)
        for _ in range(MAX_ROUNDS):
            found = _evidenced(candidates, joins, set(latin), values, articles_of)
            if not found:
                break
            joins.update(found)
            candidates = {c: ls for c, ls in candidates.items() if c not in joins}
        to_latin = {c: spelled[lat] for c, lat in joins.items()}
        named: dict[Value, list[Value]] = {}  # Latin value -> the Cyrillic ones joined to it
        for c, lat in joins.items():
            named.setdefault(lat, []).append(c)
        to_cyrillic = {lat: spelled[max(cs, key=count.__getitem__)] for lat, cs in named.items()}
        return cls(to_latin, to_cyrillic)

    def pairs(self, entities: Entities) -> Pairs:
        """One article's `other_script` record: each joined value -> its other spelling."""
        out: Pairs = {}
        for kind in KINDS:
            for value in entities.get(kind) or []:
                v = (kind, key(value))
                other = self.latin.get(v) or self.cyrillic.get(v)
                if other:
                    out.setdefault(kind, {})[value] = other
        return out

    def __len__(self) -> int:
        return len(self.latin)


def _alias_joins(
    cyrillic: list[Value],
    latin: list[Value],
    spelled: dict[Value, str],
    count: dict[Value, int],
    aliases: Aliases,
) -> dict[Value, Value]:
    """Cyrillic value -> the Latin value the alias file makes it one with (most articles)."""
    by_canonical: dict[Value, list[Value]] = {}
    for v in latin:
        kind = v[0]
        by_canonical.setdefault((kind, key(aliases.canonical(kind, spelled[v]))), []).append(v)
    joins = {}
    for v in cyrillic:
        kind = v[0]
        canonical = (kind, key(aliases.canonical(kind, spelled[v])))
        if canonical[1] != v[1] and canonical in by_canonical:
            joins[v] = max(by_canonical[canonical], key=lambda lat: (count[lat], lat))
    return joins


def _candidates(
    cyrillic: list[Value], latin: list[Value], spelled: dict[Value, str], joins: dict
) -> dict[Value, list[Value]]:
    """Cyrillic value -> the Latin values one of its romanisations matches."""
    filed: dict[tuple[str, str], list[tuple[str, Value]]] = {}
    for v in latin:
        skel = skeleton(spelled[v])
        for k in _lookup_keys(v[0], skel):
            filed.setdefault((v[0], k), []).append((skel, v))
    out: dict[Value, list[Value]] = {}
    for v in cyrillic:
        if v in joins:
            continue
        found: dict[Value, None] = {}
        for skel in romanisations(spelled[v]):
            for k in _lookup_keys(v[0], skel):
                for other, lat in filed.get((v[0], k), ()):
                    if _alike(v[0], skel, other):
                        found[lat] = None
        if found:
            out[v] = list(found)
    return out


def _evidenced(
    candidates: dict[Value, list[Value]],
    joins: dict[Value, Value],
    latin: set[Value],
    values: list[set[Value]],
    articles_of: dict[Value, list[int]],
) -> dict[Value, Value]:
    """The candidates whose articles share MIN_SHARED entities known in both scripts, one
    of them established (same spelling or joined); the others may be tentative (a
    Cyrillic value and a Latin one that are each other's only candidate)."""
    claimed = Counter(lat for options in candidates.values() for lat in options)
    tentative = {
        c: options[0]
        for c, options in candidates.items()
        if len(options) == 1 and claimed[options[0]] == 1
    }

    contexts: dict[Value, tuple[set[Value], set[Value]]] = {}

    def context(v: Value) -> tuple[set[Value], set[Value]]:
        """(established, tentative) cross-script identities of the entities named beside `v`."""
        if v in contexts:
            return contexts[v]
        sure: set[Value] = set()
        maybe: set[Value] = set()
        for i in articles_of[v]:
            for other in values[i]:
                if other in joins:
                    sure.add(joins[other])
                elif other in latin:
                    sure.add(other)
                elif other in tentative:
                    maybe.add(tentative[other])
        own = {v, joins.get(v, v), tentative.get(v, v)}
        contexts[v] = (sure - own, maybe - own - sure)
        return contexts[v]

    found = {}
    for c, options in candidates.items():
        sure, maybe = context(c)
        scored = []
        for lat in options:
            their_sure, their_maybe = context(lat)
            theirs = (their_sure | their_maybe) - {lat}
            established = len(sure & their_sure - {lat})
            shared = len((sure | maybe) & theirs)
            scored.append((shared if established else 0, lat))
        scored.sort(reverse=True)
        best, lat = scored[0]
        if best >= MIN_SHARED and (len(scored) == 1 or scored[1][0] < best):
            found[c] = lat
    return found
