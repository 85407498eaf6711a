"""Text analysis shared by indexing and querying.

One function, `analyze`, turns text into index terms; the Whoosh analyzers
below wrap it so the query parser and the indexer can never disagree. The
indexer calls `analyze` directly in worker processes and hands Whoosh the
term lists, which is what makes ingest fast (see README, "Speed").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer
from whoosh.lang.snowball.english import EnglishStemmer
from whoosh.support.charset import accent_map

# Words joined by dots or inner apostrophes stay one token ("U.S", "o'brien");
# the English possessive is cut off below so "Russia's" indexes as "russia".
TOKEN_PATTERN = re.compile(r"\w+(?:[.'’ʼ]\w+)*", re.UNICODE)
POSSESSIVE = re.compile(r"['’]s$")  # folding makes every apostrophe the plain one

# A short list: common function words only, so phrases and titles keep their content.
_STOP_LIST = """
a an and are as at be but by for from has have he her his i if in into is it its
of on or she that the their them there these they this to was were will with
"""
STOP_WORDS = frozenset(_STOP_LIST.split())

_stemmer = EnglishStemmer()


# Letters that neither casefolding nor accent stripping turns into ASCII, and the
# apostrophe variants (’ ʼ ‘ ′ ´ `), which become the plain one so "O’Brien" == "O'Brien".
_EXTRA_FOLDS = str.maketrans(
    {
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
        "’": "'",
        "ʼ": "'",
        "‘": "'",
        "′": "'",
        "´": "'",
        "`": "'",
    }
)
# Polish and Hungarian write with "sz" the sound Czech, Slovak and Belarusian Latin
# write "š", which folds to "s": Łukaszenka and Lukašenka must meet. Only before a
# vowel, so a final "sz" (Tomasz, Jarosz) is not stemmed away like a plural "s" and
# abbreviations (SZ, DSZ) stay. No English word has "sz".
_SZ = re.compile("sz(?=[aeiouy])")


def fold(text: str) -> str:
    """Lowercase and strip accents, so Łukaszenka, Lukašenka and lukasenka meet.

    Casefolding comes first ("Straße" -> "strasse", as "STRASSE" reads), then the
    accent map, then any remaining combining marks are dropped.
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_EXTRA_FOLDS)
    text = text.translate(accent_map)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SZ.sub("s", text) if "sz" in text else text


@lru_cache(maxsize=200_000)
def index_term(word: str) -> str | None:
    """The index term for one token, or None for a stop word. Cached: vocabularies are small."""
    word = POSSESSIVE.sub("", fold(word))
    if not word or word in STOP_WORDS:
        return None
    if len(word) > 40:
        word = word[:40]
    return _stemmer.stem(word) if word.isalpha() else word


def tokens_with_offsets(text: str):
    """(term, start, end) for every indexed token: the basis for highlighting."""
    for match in TOKEN_PATTERN.finditer(text):
        term = index_term(match.group())
        if term is not None:
            yield term, match.start(), match.end()


def analyze(text: str) -> list[str]:
    """The index terms of a text, in order: what the title and body fields hold."""
    terms = [index_term(word) for word in TOKEN_PATTERN.findall(text)]
    return [t for t in terms if t is not None]


def fold_value(value: str) -> str:
    """A facet value's index form: folded, single-spaced; display spelling is kept elsewhere."""
    return " ".join(fold(value).replace(",", " ").split())


class ArchiveTokenizer(Tokenizer):
    """Whoosh-facing wrapper of `analyze`, used by the query parser and highlighter."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = value
            token.text = fold(value)
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for pos, (term, start, end) in enumerate(tokens_with_offsets(value)):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


TEXT_ANALYZER = ArchiveTokenizer()
