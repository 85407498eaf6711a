"""A reader's query, parsed safely into a small AST, which search.engine evaluates.

Safe by construction: the scanner below never fails. Recognised syntax is
`"phrases"`, `-exclude`, `a OR b`, `field:value` (title, body, person,
organization, place, category, tag, year), `date:[2017-01 to 2017-06]`,
trailing wildcards (`negot*`) and fuzzy terms (`lukashenko~`, `~2`).
Anything else (stray quotes, a lone `AND`, brackets) is read as plain words,
which analysis then keeps or drops like any other text.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from search.analysis import analyze, fold_value, tokens_with_offsets
from search.limits import MAX_EXPANDED_WORDS, MAX_OPTIONS, MAX_QUERY_CHARS, PARTIAL_MIN_CHARS
from search.schema import TEXT_FIELDS

VALUE_FIELDS = ("person", "organization", "place", "category", "tag", "year")
FIELDS = TEXT_FIELDS + VALUE_FIELDS + ("date",)
PREFIX_KINDS = ("prefix", "partial")
MAX_CLAUSES = 64  # longer queries are cut: a reader never needs more, a robot gets no more

_FIELD_PREFIX = re.compile(r"(?i)(" + "|".join(FIELDS) + r"):(?=\S)")
_FUZZY = re.compile(r"^(.+?)~([12])?$")
_RANGE = re.compile(r"(?i)^\[\s*(\S*)\s+to\s+(\S*)\s*\]$")


# A clause's index terms, analysed once: `parse` hands them over from its one pass over
# the query's text; a clause built any other way analyses its own text when created.
_TERMS = dataclasses.field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Term:
    """One word (or a token that analysis splits, e.g. `e-mail`, which acts as a phrase)."""

    text: str
    field: str | None = None
    kind: str = "word"  # "word", "prefix", "partial" (a prefix being typed) or "fuzzy"
    distance: int = 1
    terms: list[str] = _TERMS

    def __post_init__(self) -> None:
        if self.terms is None:
            if self.kind in PREFIX_KINDS:  # the index holds stems: match the typed start, unstemmed
                terms = [fold_value(self.text)] if fold_value(self.text) else []
            else:
                terms = analyze(self.text)
            object.__setattr__(self, "terms", terms)


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None
    terms: list[str] = _TERMS

    def __post_init__(self) -> None:
        if self.terms is None:
            object.__setattr__(self, "terms", analyze(self.text))


@dataclass(frozen=True)
class DateRange:
    """`date:[start to end]` or `date:2017`; bounds are raw strings, checked by the engine."""

    start: str | None
    end: str | None


@dataclass(frozen=True)
class AnyOf:
    """`a OR b OR c`: one clause that any of its options satisfies."""

    options: tuple[Term | Phrase, ...]


Clause = Term | Phrase | AnyOf


@dataclass
class Query:
    """A parsed query: clauses to match (some or all, see ranking.required_matches),
    clauses to exclude, and date ranges; `terms` are the index terms of the whole text
    (for ranking.plan_query), `tokens` the same with their offsets in `text`."""

    text: str = ""
    positive: list[Clause] = field(default_factory=list)
    negative: list[Clause] = field(default_factory=list)
    ranges: list[DateRange] = field(default_factory=list)
    tokens: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        return [term for term, _, _ in self.tokens]


def parse(text: str | None) -> Query:
    """Parse a reader's query; never raises. The text is analysed once, here: each clause
    takes the terms of its own span of it."""
    text = (text or "")[:MAX_QUERY_CHARS]
    out = Query(text=text, tokens=list(tokens_with_offsets(text)))
    starts = [start for _, start, _ in out.tokens]

    def terms_of(start: int, end: int) -> list[str]:
        """The terms of text[start:end] (no token crosses a clause's edge)."""
        i = bisect_left(starts, start)
        found = []
        while i < len(starts) and out.tokens[i][2] <= end:
            found.append(out.tokens[i][0])
            i += 1
        return found

    pending_or = False
    for negated, item in _scan(text, terms_of):
        if item == "OR":
            pending_or = bool(out.positive) and not negated
            continue
        if isinstance(item, DateRange):
            out.ranges.append(item)
            pending_or = False
            continue
        if not _meaningful(item):
            continue
        if negated:
            out.negative.append(item)
        elif pending_or and out.positive:
            previous = out.positive.pop()
            options = previous.options if isinstance(previous, AnyOf) else (previous,)
            out.positive.append(AnyOf(options + (item,)))
        else:
            out.positive.append(item)
        pending_or = False
    out.positive = _dedupe(out.positive)[:MAX_CLAUSES]
    out.negative = _dedupe(out.negative)[:MAX_CLAUSES]
    budget = _Budget()
    out.positive = budget.bound(out.positive)
    out.negative = budget.bound(out.negative)
    return out


class _Budget:
    """Caps one query's work (search.limits): MAX_OPTIONS words, phrases and OR options in
    all, and MAX_EXPANDED_WORDS wildcard or fuzzy words; later ones are matched as typed."""

    def __init__(self) -> None:
        self.options = MAX_OPTIONS
        self.expansions = MAX_EXPANDED_WORDS

    def bound(self, clauses: list[Clause]) -> list[Clause]:
        out: list[Clause] = []
        for clause in clauses:
            options = clause.options if isinstance(clause, AnyOf) else (clause,)
            kept = [o for o in (self._option(o) for o in options[: self.options]) if o]
            self.options -= len(kept)
            if len(kept) > 1:
                out.append(AnyOf(tuple(kept)))
            elif kept:
                out.append(kept[0])
        return out

    def _option(self, option: Term | Phrase) -> Term | Phrase | None:
        if not (isinstance(option, Term) and option.kind != "word"):
            return option
        if self.expansions > 0:
            self.expansions -= 1
            return option
        plain = Term(option.text, option.field)
        return plain if _meaningful(plain) else None


def complete_last_word(parsed: Query) -> Query:
    """The widget's query while a reader types: the last word also matches as a prefix.

    Only a plain last word qualifies (not after a space, not negated, quoted, fielded, a
    wildcard or fuzzy), at least PARTIAL_MIN_CHARS long: "lukash" then finds Lukashenka,
    "zimbab" Zimbabwe, and the word as typed still matches as itself.
    """
    text = parsed.text
    if not text or text[-1].isspace() or not parsed.positive:
        return parsed
    last = parsed.positive[-1]
    token = text.split()[-1]
    if (
        not isinstance(last, Term)
        or last.kind != "word"
        or last.field is not None
        or not re.fullmatch(r"\w+", token)
        or fold_value(token) != fold_value(last.text)
        or len(fold_value(token)) < PARTIAL_MIN_CHARS
    ):
        return parsed
    option = AnyOf((last, Term(token, None, "partial")))
    positive = parsed.positive[:-1] + [option]
    return Query(parsed.text, positive, parsed.negative, parsed.ranges, parsed.tokens)


def _meaningful(item: Term | Phrase) -> bool:
    if item.field in VALUE_FIELDS:
        return bool(fold_value(item.text))
    return bool(item.terms)


def _dedupe(clauses: list[Clause]) -> list[Clause]:
    seen: set = set()
    out = []
    for clause in clauses:
        key = _clause_key(clause)
        if key not in seen:
            seen.add(key)
            out.append(clause)
    return out


def _clause_key(clause: Clause) -> tuple:
    if isinstance(clause, AnyOf):
        return ("or",) + tuple(sorted(_clause_key(o) for o in clause.options))
    if isinstance(clause, Term) and clause.kind != "word":
        return (clause.kind, clause.field, tuple(clause.terms), clause.distance)
    if clause.field in VALUE_FIELDS:
        return ("value", clause.field, fold_value(clause.text))
    return ("text", clause.field, tuple(clause.terms))


Spans = Callable[[int, int], list[str]]


def _scan(text: str, terms_of: Spans):
    """Yield (negated, item) where item is a Term, Phrase, DateRange or the string "OR"."""
    pos, n = 0, len(text)
    while pos < n:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            return
        negated = False
        if text[pos] == "-" and pos + 1 < n and not text[pos + 1].isspace():
            negated = True
            pos += 1
        fieldname = None
        prefix = _FIELD_PREFIX.match(text, pos)
        if prefix:
            fieldname = prefix.group(1).lower()
            pos = prefix.end()
        if text[pos] == '"':
            close = text.find('"', pos + 1)
            if close > pos:
                phrase = text[pos + 1 : close]
                words = terms_of(pos + 1, close)
                pos = close + 1
                yield from _phrase_item(negated, phrase, fieldname, words)
                continue
            pos += 1  # a stray quote: the rest is plain words
            continue
        if fieldname == "date" and text[pos] == "[":
            close = text.find("]", pos)
            if close > pos:
                match = _RANGE.match(text[pos : close + 1])
                pos = close + 1
                if match and not negated:
                    yield False, DateRange(match.group(1) or None, match.group(2) or None)
                continue
        end = pos
        while end < n and not text[end].isspace() and text[end] != '"':
            end += 1
        word, start = text[pos:end], pos
        pos = end
        if not word:
            continue
        if word == "OR" and fieldname is None:
            yield negated, "OR"
            continue
        if fieldname == "date":
            if not negated:
                yield False, DateRange(word, word)
            continue
        yield negated, _word_item(word, fieldname, lambda a, b, s=start: terms_of(s + a, s + b))


def _phrase_item(negated: bool, phrase: str, fieldname: str | None, words: list[str]):
    if fieldname == "date":
        if not negated:
            yield False, DateRange(phrase.strip() or None, phrase.strip() or None)
        return
    if fieldname in VALUE_FIELDS:
        yield negated, Term(phrase, fieldname, terms=words)
        return
    if len(words) == 1:
        yield negated, Term(phrase, fieldname, terms=words)
    elif words:
        yield negated, Phrase(phrase, fieldname, terms=words)


def _word_item(word: str, fieldname: str | None, terms_of: Spans) -> Term | Phrase:
    """`terms_of(a, b)`: the terms of word[a:b]."""
    whole = terms_of(0, len(word))
    if fieldname not in VALUE_FIELDS:
        if word.endswith("*") and len(fold_value(word.rstrip("*"))) >= 2:
            stem = word.rstrip("*")
            if re.fullmatch(r"\w+", stem):
                return Term(stem, fieldname, "prefix")
        fuzzy = _FUZZY.match(word)
        if fuzzy and re.fullmatch(r"\w{3,}", fuzzy.group(1)):
            typed = fuzzy.group(1)
            distance = int(fuzzy.group(2) or 1)
            return Term(typed, fieldname, "fuzzy", distance, terms_of(0, len(typed)))
        word = word.strip("()[]{}*~")  # not token characters: `whole` holds the same terms
        if len(whole) > 1:  # "e-mail", "U.S.-led": the words in order
            return Phrase(word, fieldname, whole)
    return Term(word.strip("()[]{}") if fieldname in VALUE_FIELDS else word, fieldname, terms=whole)


# ---- what snippets highlight ----


def highlight_terms(parsed: Query, extra: set[str] | None = None) -> set[str]:
    """Analysed index terms of the positive clauses (plus expansions the engine found)."""
    out: set[str] = set(extra or ())
    for clause in _flat(parsed.positive):
        if isinstance(clause, Term) and clause.kind != "word":
            continue  # the engine adds the expansions it used
        out.update(clause.terms)
    return out


def _flat(clauses: list[Clause]) -> list[Term | Phrase]:
    out: list[Term | Phrase] = []
    for clause in clauses:
        out.extend(clause.options if isinstance(clause, AnyOf) else (clause,))
    return out
