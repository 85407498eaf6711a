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
from itertools import accumulate, repeat
from operator import add, sub
from typing import NamedTuple

# Words that keep their trailing period (CoNLL keeps "Corp.", "Mr.", "St.").


def word_set(text: str) -> frozenset[str]:
    """Readable word lists in source: whitespace-separated words."""
    return frozenset(text.split())


ABBREVIATIONS = word_set(
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
    (\s*)                                              # the gap before: offsets from lengths
    ((?:[^\W\d_]\.){{2,}}                              # U.S.  U.N.  a.m.  F.C.
  | [{_APOS}](?:s|S|re|RE|ve|VE|ll|LL|m|M|d|D)\b|n[{_APOS}]t\b|N[{_APOS}]T\b
  | \d+(?:[.,:/-]\d+)*[^\W_]*(?:-\w+)*      # 5.93  155,221  1996-08-22  13th
  | (?=\w*n[{_APOS}]t\b)\w+?(?=n[{_APOS}]t\b)            # do|n't (the guard fails fast)
  | \w+(?:[-&]\w+)*(?:[{_APOS}](?![sSmMdD]\b|re\b|ve\b|ll\b)\w+)*(?:[-&]\w+)*
  | \.{{2,}}
  | \S)
    """,
    re.VERBOSE,
)
_PERIOD = re.compile(r"\.")
_new_token = tuple.__new__  # Token(...) without the generated __new__'s Python frame
_SENT_END = frozenset(".!?")
_CLOSERS = frozenset("\"')]}\u201d\u2019")
_ENDS_OR_CLOSES = _SENT_END | _CLOSERS | {"..."}
MAX_SENTENCE_TOKENS = 120  # longer runs (tables, lists) are cut: keeps tagging linear


class Token(NamedTuple):
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Tokens of `text` in order, each with its [start, end) character offsets.

    Tokens are found in one `findall` with the whitespace before each, so offsets come
    from summed lengths; only a period token right after another is looked at one by one.
    """
    found = _TOKEN.findall(text)
    if not found:
        return []
    gaps, texts = zip(*found, strict=True)
    sizes = list(map(len, texts))
    ends = list(accumulate(map(add, map(len, gaps), sizes)))
    starts = list(map(sub, ends, sizes))
    tokens = list(map(_new_token, repeat(Token), zip(texts, starts, ends, strict=True)))
    for period in reversed([m.start() for m in _PERIOD.finditer(text)]):
        after = bisect_left(starts, period)
        if 0 < after < len(starts) and starts[after] == period == ends[after - 1]:
            _absorb_period(text, tokens, after - 1)
    return tokens


def _absorb_period(text: str, tokens: list[Token], i: int) -> None:
    """The period token after tokens[i] joins it where CoNLL keeps it: "Corp.", "M.", and
    "1." opening a line (a list number, as in CoNLL's tables)."""
    word, start, end = tokens[i]
    if word[0].isdecimal():  # a number
        keeps = text[start - 1 : start] in "\n"
    else:
        keeps = (len(word) == 1 and word.isupper() and word.isalnum()) or (
            word.lower() in ABBREVIATIONS
        )
    if keeps:
        tokens[i] = Token(word + ".", start, end + 1)
        dots, _, dots_end = tokens[i + 1]
        if len(dots) == 1:
            del tokens[i + 1]
        else:  # "Corp..." -> "Corp." ".."
            tokens[i + 1] = Token(dots[1:], end + 1, dots_end)


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
    n = len(tokens)
    first = 0  # the current sentence's first token
    for i in [i for i, tok in enumerate(tokens) if tok.text in _ENDS_OR_CLOSES]:
        if i + 1 >= n:
            break
        text = tokens[i].text
        if text in _CLOSERS and not (i and tokens[i - 1].text in _SENT_END):
            continue  # a quote or bracket ends a sentence only after . ! ? ('."')
        nxt = tokens[i + 1].text[:1]
        if nxt.isupper() or (nxt in '"\u201c' and text not in _CLOSERS):
            while i - first >= MAX_SENTENCE_TOKENS:
                result.append(tokens[first : first + MAX_SENTENCE_TOKENS])
                first += MAX_SENTENCE_TOKENS
            result.append(tokens[first : i + 1])
            first = i + 1
    while n - first > MAX_SENTENCE_TOKENS:
        result.append(tokens[first : first + MAX_SENTENCE_TOKENS])
        first += MAX_SENTENCE_TOKENS
    if first < n:
        result.append(tokens[first:])


_FEW = 64  # distinct words up to which a scan per word beats one pass over all words
_WORD_RUN = re.compile(r"\w+")  # where a whole word can start, as re's \w sees words


def joins(char: str, also: str = "") -> bool:
    """Whether `char` would continue a word: a word character (as re's \\w) or one of `also`."""
    return bool(char) and (char.isalnum() or char == "_" or char in also)


class WordPlaces:
    """Where the first words of some names stand in a text as whole words. Up to _FEW
    distinct words, each is looked for with `str.find` (a scan in C per word); more, or
    words found inside too many longer ones, and one pass over the text's words finds them
    all: thousands of names cost linear work, not a scan per name. `lower`: words compared
    in lowercase (in the lowercased text, unless lowercasing changes its length: "İ" becomes
    two characters); `limit`: each word's first places only."""

    def __init__(
        self, text: str, names: list[str] | set[str], lower: bool = False, limit: int = 0
    ) -> None:
        self.lower = lower
        wanted = {self._first(name) for name in names} - {None}
        self.places: dict[str, list[int]] = {}
        if not wanted:
            return
        few = len(wanted) <= _FEW
        search = text.lower() if lower and few else text
        same_places = len(search) == len(text)  # "İ" lowercases to two characters
        if not (few and same_places and self._word_each(search, wanted, limit)):
            self._word_by_word(text, wanted, limit)

    def _word_each(self, text: str, wanted: set[str], limit: int) -> bool:
        """Each word looked for with `str.find`; False (nothing kept) once the hits inside
        longer words pass a budget of a tenth of the text's length: "al" in every "also"."""
        budget = len(text) // 10
        for word in wanted:
            places = []
            at = text.find(word)
            while at >= 0 and (not limit or len(places) < limit):
                end = at + len(word)
                if not joins(text[at - 1 : at]) and not joins(text[end : end + 1]):
                    places.append(at)
                else:
                    budget -= 1
                    if budget < 0:
                        self.places = {}
                        return False
                at = text.find(word, end)
            if places:
                self.places[word] = places
        return True

    def _word_by_word(self, text: str, wanted: set[str], limit: int) -> None:
        for word in _WORD_RUN.finditer(text):
            found = word.group().lower() if self.lower else word.group()
            if found in wanted:
                places = self.places.setdefault(found, [])
                if not limit or len(places) < limit:
                    places.append(word.start())

    def candidates(self, name: str) -> list[int]:
        """Where the name's first word starts (whether the rest follows is the caller's)."""
        return self.places.get(self._first(name), [])

    def _first(self, name: str) -> str | None:
        run = _WORD_RUN.match(name)
        if not run:
            return None
        return run.group().lower() if self.lower else run.group()
