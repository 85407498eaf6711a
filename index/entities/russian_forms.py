"""Dictionary forms of Russian names: "Александром Налбандовым" -> "Александр Налбандов".

A facet value must be one string however the article declines the name, so
every Russian person, place and organisation is put in the nominative. natasha's
own normaliser needs its morphology tagger over the whole text (and its syntax
parser for organisations), which costs more than the NER itself; this one reads
only the name's own words with pymorphy2 and makes them agree:

- a person's words share one gender and case ("Аллой Пугачевой" -> "Алла
  Пугачева"), the reading most of the words support, first names, surnames and
  patronymics first;
- a place or organisation is a noun phrase: its leading adjectives and head
  noun agree in number and case and go to the nominative, the words after the
  head stay as written ("Союза координационных советов" -> "Союз
  координационных советов", "Соединенных Штатов Америки" -> "Соединенные
  Штаты Америки");
- a name in quotes keeps its own form ("газета «Известия»"), and so do
  abbreviations ("МИД"), initials and words in other scripts;
- "ё" is written "е", as most Russian news writes it, so one name is one value.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from functools import lru_cache
from typing import Any

_CYRILLIC_WORD = re.compile(r"^[а-яё]+(?:-[а-яё]+)*$", re.IGNORECASE)
# "МИДа", "ОБСЕ": an abbreviation declined with a lowercase ending loses the ending.
_ABBREVIATION_ENDING = re.compile(r"^([А-ЯЁ]{2,})[а-яё]{1,3}$")
_WORD_OR_SPACE = re.compile(r"\s+|[^\s]+")
_NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
_NOUNS = frozenset({"NOUN"})
_ADJECTIVES = frozenset({"ADJF", "PRTF"})
_GENDERS = ("masc", "femn")
_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")

_local = threading.local()


def vocab() -> Any:
    """A pymorphy2 analyzer with a parse cache, once per process and thread.

    The dictionary path is given explicitly: pymorphy2 looks it up through
    pkg_resources, which current setuptools no longer ships; yargy (natasha's)
    patches pymorphy2 for Python 3.11 when imported.
    """
    analyzer = getattr(_local, "vocab", None)
    if analyzer is None:
        import pymorphy2_dicts_ru
        import yargy.morph  # noqa: F401  (its import applies the Python 3.11 fix)
        from pymorphy2 import MorphAnalyzer

        analyzer = MorphAnalyzer(path=pymorphy2_dicts_ru.get_path())
        _local.vocab = analyzer
        _local.parse = lru_cache(maxsize=50_000)(analyzer.parse)
    return _local.parse


@lru_cache(maxsize=20_000)
def dictionary_form(surface: str, kind: str, quoted: bool = False) -> str:
    """The nominative form of a person's, place's or organisation's name as written.

    `surface` is the name's text in the article; `quoted` says it stood in
    quotes there, where names keep their own form. Spacing between words is kept.
    An archive names the same people again and again: the answers are cached.
    """
    parts = _WORD_OR_SPACE.findall(surface.strip())
    words = [i for i, p in enumerate(parts) if not p.isspace()]
    if not quoted and words:
        tokens = [parts[i] for i in words]
        forms = _person(tokens) if kind == "person" else _noun_phrase(tokens)
        for i, form in zip(words, forms, strict=True):
            parts[i] = _ABBREVIATION_ENDING.sub(r"\1", form)
    return _fold_yo("".join(parts))


def person_readings(word: str) -> set[str]:
    """Every nominative a one-word name can stand for ("Удальцова": Удальцов, Удальцова).

    An article that names "Сергей Удальцов" in full settles which one its
    "Удальцова" is (`index.entities.russian`).
    """
    out = {_fold_yo(word)}
    for p in _parses(word):
        if p.tag.POS in _NOUNS | _ADJECTIVES and p.tag.number != "plur":
            inflected = p if p.tag.case == "nomn" else p.inflect({"nomn"})
            if inflected is not None:
                out.add(_fold_yo(_shape_like(inflected.word, word)))
    return out


def _fold_yo(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def _inflectable(word: str) -> bool:
    """A Cyrillic word that is no abbreviation: "МИД", "В.", "Reuters" keep their form."""
    return bool(_CYRILLIC_WORD.match(word)) and not (len(word) > 1 and word[:2].isupper())


def _parses(word: str) -> list:
    return vocab()(word.lower()) if _inflectable(word) else []


def _person(tokens: list[str]) -> list[str]:
    """Every word in the gender and case most of them support, put in the nominative."""
    parses = [_parses(t) for t in tokens]
    votes: dict[tuple[str, str], float] = defaultdict(float)
    for options in parses:
        best: dict[tuple[str, str], float] = {}
        for p in options:
            if p.tag.POS not in _NOUNS | _ADJECTIVES or p.tag.number == "plur":
                continue
            weight = p.score * (2.0 if _NAME_TAGS & p.tag.grammemes else 1.0)
            for gender in _genders(p):
                combo = (gender, p.tag.case)
                best[combo] = max(best.get(combo, 0.0), weight)
        for combo, weight in best.items():
            votes[combo] += weight
    if not votes:
        return tokens
    gender, case = max(votes, key=lambda c: (votes[c], c[1] == "nomn"))
    return [
        _to_nominative(token, options, lambda p: gender in _genders(p) and p.tag.case == case)
        for token, options in zip(tokens, parses, strict=True)
    ]


def _genders(p) -> tuple[str, ...]:
    gender = p.tag.gender
    if gender is None or "ms-f" in p.tag.grammemes:
        return _GENDERS  # "Керри", "Обама": either
    return (str(gender),) if str(gender) in _GENDERS else ()


def _noun_phrase(tokens: list[str]) -> list[str]:
    """Leading adjectives and the head noun agree and go to the nominative; the rest stays."""
    parses = [_parses(t) for t in tokens]
    head = 0
    while head < len(tokens) - 1 and _is_adjective(parses[head]):
        head += 1
    if not parses[head]:
        return tokens
    votes: dict[tuple[str, str], float] = defaultdict(float)
    for i in range(head + 1):
        best: dict[tuple[str, str], float] = {}
        for p in parses[i]:
            wanted = _NOUNS if i == head and head > 0 else _NOUNS | _ADJECTIVES
            if p.tag.POS in wanted and p.tag.case in _CASES:
                combo = (p.tag.number or "sing", p.tag.case)
                best[combo] = max(best.get(combo, 0.0), p.score)
        for combo, weight in best.items():
            votes[combo] += weight * (2.0 if i == head else 1.0)
    if not votes:
        return tokens
    number, case = max(votes, key=lambda c: (votes[c], c[1] == "nomn"))
    head_form = _pick(parses[head], lambda p: (p.tag.number or "sing") == number)
    gender = head_form.tag.gender if head_form is not None else None

    def agrees(p) -> bool:
        return (p.tag.number or "sing") == number and p.tag.case == case

    out = list(tokens)
    for i in range(head + 1):
        out[i] = _to_nominative(tokens[i], parses[i], agrees, gender if i < head else None)
    return out


def _is_adjective(options: list) -> bool:
    return bool(options) and options[0].tag.POS in _ADJECTIVES


def _pick(options: list, accept):
    return max((p for p in options if accept(p)), key=lambda p: p.score, default=None)


def _to_nominative(token: str, options: list, accept, gender: str | None = None) -> str:
    """`token` in the nominative, read as its best parse that `accept`s; else as written."""
    form = _pick(options, accept)
    if form is None or form.tag.case == "nomn":
        return token
    grammemes = {"nomn"}
    if form.tag.number == "sing" and gender in ("masc", "femn", "neut") and form.tag.POS != "NOUN":
        grammemes.add(gender)
    inflected = form.inflect(grammemes)
    if inflected is None:
        return token
    return _shape_like(inflected.word, token)


def _shape_like(word: str, model: str) -> str:
    """`word` with the capitals of `model`, hyphenated part by part ("Нью-Йорк")."""
    parts, shapes = word.split("-"), model.split("-")
    if len(parts) != len(shapes):
        shapes = [model] * len(parts)
    return "-".join(_shape(p, s) for p, s in zip(parts, shapes, strict=True))


def _shape(word: str, model: str) -> str:
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
