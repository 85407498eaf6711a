"""CoNLL-2003-style tokenizer and sentence splitter, with character offsets.

The tagger was trained on CoNLL tokens, so raw text must be cut the same way:
clitics ('s, n't, 're …) and punctuation are separate tokens (otherwise
"Russia's" is an unknown word and goes untagged), while "U.S.", "Corp.",
"1996-08-22", "AT&T" and "O'Brien" stay whole. The curly apostrophe is treated
like the straight one ("Minsk’s" -> "Minsk" "’s", "Belarus’" -> "Belarus" "’").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple

# Words that keep their trailing period (CoNLL keeps "Corp.", "Mr.", "St.").


def _word_set(text: str) -> frozenset[str]:
    """Readable word lists in source: whitespace-separated words."""
    return frozenset(text.split())


ABBREVIATIONS = _word_set(
    """
    mr mrs ms dr prof gen col lt sgt capt cmdr adm gov sen rep rev st mt ft jr sr
    co corp inc ltd plc bros dept univ assn vs etc no nos fig approx est
    jan feb mar apr jun jul aug sep sept oct nov dec
    ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn
    miss mo mont neb nev okla ore pa tenn tex va vt wash wis wyo
    """
)

_APOS = "'\u2019"
_TOKEN = re.compile(
    rf"""
    (?P<initials>(?:[^\W\d_]\.){{2,}})                 # U.S.  U.N.  a.m.  F.C.
  | (?P<clitic>[{_APOS}](?:s|S|re|RE|ve|VE|ll|LL|m|M|d|D)\b|n[{_APOS}]t\b|N[{_APOS}]T\b)
  | (?P<number>\d+(?:[.,:/-]\d+)*[^\W_]*(?:-\w+)*)    # 5.93  155,221  1996-08-22  13th
  | (?P<word>\w+?(?=n[{_APOS}]t\b)                    # do|n't
        |\w+(?:[-&]\w+)*(?:[{_APOS}](?![sSmMdD]\b|re\b|ve\b|ll\b)\w+)*(?:[-&]\w+)*)
  | (?P<dots>\.{{2,}})
  | (?P<punct>\S)
    """,
    re.VERBOSE,
)
_SENT_END = frozenset(".!?")
_CLOSERS = frozenset("\"')]}\u201d\u2019")
MAX_SENTENCE_TOKENS = 120  # longer runs (tables, lists) are cut: keeps tagging linear


class Token(NamedTuple):
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Tokens of `text` in order, each with its [start, end) character offsets."""
    out: list[Token] = []
    append = out.append
    n = len(text)
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        kind = m.lastgroup
        if kind == "word" and end < n and text[end] == ".":
            word = m.group()
            # "M." (an initial) or a known abbreviation keeps its period.
            if (len(word) == 1 and word.isupper()) or word.lower() in ABBREVIATIONS:
                end += 1
        elif kind == "number" and end < n and text[end] == "." and text[start - 1 : start] in "\n":
            # "1." at the start of a line is a list number, as in CoNLL's tables.
            end += 1
        append(Token(text[start:end], start, end))
    return _fix_overlaps(out)


def _fix_overlaps(tokens: list[Token]) -> list[Token]:
    """Drop the period token that an abbreviation already absorbed."""
    out: list[Token] = []
    last_end = -1
    for tok in tokens:
        if tok.start < last_end:
            if tok.end <= last_end:
                continue
            tok = Token(tok.text[last_end - tok.start :], last_end, tok.end)
        out.append(tok)
        last_end = tok.end
    return out


_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def sentences(text: str) -> list[list[Token]]:
    """Split into sentences of tokens: at blank lines, and after . ! ? before a capital.

    Single newlines are not boundaries: Reuters-style bodies wrap lines mid-sentence.
    The text is tokenized once (no token spans a blank line), then cut at its blank lines.
    """
    result: list[list[Token]] = []
    tokens = tokenize(text)
    starts = [tok.start for tok in tokens]
    first = 0
    for brk in (*(m.start() for m in _PARAGRAPH.finditer(text)), len(text)):
        last = bisect_left(starts, brk, first)
        if last > first:
            _split_paragraph(tokens[first:last], result)
        first = last
    return result


def _split_paragraph(tokens: list[Token], result: list[list[Token]]) -> None:
    current: list[Token] = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        current.append(tok)
        boundary = False
        ends = tok.text in _SENT_END or tok.text == "..."
        if not ends and tok.text in _CLOSERS and i and tokens[i - 1].text in _SENT_END:
            ends = True  # ." closes the sentence after the quote
        if ends and i + 1 < n:
            nxt = tokens[i + 1].text[:1]
            boundary = nxt.isupper() or (nxt in '"\u201c' and tok.text not in _CLOSERS)
        if boundary or len(current) >= MAX_SENTENCE_TOKENS:
            result.append(current)
            current = []
    if current:
        result.append(current)
