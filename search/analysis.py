"""Text analysis shared by indexing and querying.

One function, `analyze`, turns text into index terms; the Whoosh analyzers
below wrap it so the query parser and the indexer can never disagree. The
indexer calls `analyze` directly in worker processes and hands Whoosh the
term lists, which is what makes ingest fast (see README, "Speed").

Each word is analysed by its script: a Cyrillic word the Russian way (Snowball
Russian, `ё` read as `е`), any other the English way. English and Russian
articles (search.languages.ANALYSED) are analysed so, whichever their language,
and so is every query: "Путин Lukashenka" needs no language. An article in any
other language gets the language-neutral analysis (folding, no stop words, no
stemming); see `Evaluator.word` in search/engine.py for how a query meets it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property, lru_cache
from itertools import accumulate

import Stemmer
from whoosh.analysis import Token, Tokenizer
from whoosh.support.charset import accent_map

from search.languages import is_analysed

# Words joined by dots or inner apostrophes stay one token ("U.S", "o'brien");
# the English possessive is cut off below so "Russia's" indexes as "russia". Combining
# marks belong to their word: Russian stress marks ("Пу́тин") are not letters to \w.
_WORD = r"\w[\w\u0300-\u036f]*"
TOKEN_PATTERN = re.compile(rf"{_WORD}(?:[.'’ʼ]{_WORD})*", re.UNICODE)
POSSESSIVE = re.compile(r"['’]s$")  # folding makes every apostrophe the plain one
# Split with the separators kept, text alternates gap, token, gap, ..., gap: summing the
# parts' lengths gives every boundary without a Python step per token (see `Tokens`).
_TOKENS = re.compile(f"({TOKEN_PATTERN.pattern})", TOKEN_PATTERN.flags)

# A short list: common function words only, so phrases and titles keep their content.
_STOP_LIST = """
a an and are as at be but by for from has have he her his i if in into is it its
of on or she that the their them there these they this to was were will with
"""
STOP_WORDS = frozenset(_STOP_LIST.split())

# The Russian counterpart, as short: prepositions, conjunctions, particles and personal
# pronouns (folded: "её" is "ее"). Negation ("не", "ни") is kept: it changes the meaning.
_RUSSIAN_STOP_LIST = """
а без бы в во да для до же за и из к ко ли на о об от по при про с со то у
он она оно они его ее их мы вы я ты
"""
RUSSIAN_STOP_WORDS = frozenset(_RUSSIAN_STOP_LIST.split())

# Snowball's own stemmers (PyStemmer, C): six times faster than Whoosh's Python port, which
# also strays from Snowball ("international" → "intern", "adding" → "ad", "organizes" → "organ").
_stemmer = Stemmer.Stemmer("english")
_russian_stemmer = Stemmer.Stemmer("russian")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
# Runs that may need accent stripping inside a Cyrillic text: everything but ASCII and
# Cyrillic letters, whose diacritics make other letters (й is not и, ў is not у).
_NOT_CYRILLIC = re.compile("[^\u0000-\u007f\u0400-\u04ff]+")


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
        "ё": "е",  # Russian writes ё as е in most print; a reader types either
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
    accent map, then any remaining combining marks are dropped, except from Cyrillic
    letters: й, ў, ї are letters of their own ("война" is not "воина"); ё becomes е.
    ASCII text (most words) takes a shortcut to the same result: NFKC leaves it as it
    is, casefolding is lowercasing, and of both maps only the backtick changes it.
    """
    if text.isascii():
        text = text.lower().replace("`", "'")
    else:
        text = unicodedata.normalize("NFKC", text).casefold().translate(_EXTRA_FOLDS)
        text = text.translate(accent_map)
        if not text.isascii():
            if _CYRILLIC.search(text):
                text = _NOT_CYRILLIC.sub(lambda run: _strip_marks(run.group()), text)
            else:
                text = _strip_marks(text)
    return _SZ.sub("s", text) if "sz" in text else text


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _is_cyrillic(word: str) -> bool:
    """Whether a word is analysed the Russian way (it holds a Cyrillic letter)."""
    return not word.isascii() and _CYRILLIC.search(word) is not None


@lru_cache(maxsize=200_000)
def index_term(word: str) -> str | None:
    """The index term for one token, or None for a stop word. Cached: vocabularies are small.

    Cyrillic words are stemmed the Russian way, all others the English way."""
    if _is_cyrillic(word):
        word = fold(word)
        if not word or word in RUSSIAN_STOP_WORDS:
            return None
        word = word[:40]
        return _russian_stemmer.stemWord(word) if word.isalpha() else word
    word = fold(word)
    if "'" in word or "’" in word:
        word = POSSESSIVE.sub("", word)
    if not word or word in STOP_WORDS:
        return None
    if len(word) > 40:
        word = word[:40]
    return _stemmer.stemWord(word) if word.isalpha() else word


@lru_cache(maxsize=100_000)
def neutral_term(word: str) -> str:
    """The language-neutral index term of one token: folded, never stemmed nor dropped."""
    return fold(word)[:40]


def neutral_form(word: str) -> str | None:
    """How a language-neutral article holds a query word typed as `word`, if one token."""
    tokens = TOKEN_PATTERN.findall(word)
    return neutral_term(tokens[0]) if len(tokens) == 1 else None


def tokens_with_offsets(text: str):
    """(term, start, end) for every indexed token: the basis for highlighting (which marks
    the query's terms, so a language-neutral article is read like any other here)."""
    for match in TOKEN_PATTERN.finditer(text):
        term = index_term(match.group())
        if term is not None:
            yield term, match.start(), match.end()


def analyze(text: str, language: str | None = None) -> list[str]:
    """The index terms of a text, in order: what the title and body fields hold.

    `language` is the article's (search.languages); one without its own analysis gets
    the language-neutral one. A query has no language: its words decide by script."""
    if not is_analysed(language):
        return list(map(neutral_term, TOKEN_PATTERN.findall(text)))
    return list(filter(None, map(index_term, TOKEN_PATTERN.findall(text))))  # None: stop word


class Tokens:
    """A text's tokens as `tokens_with_offsets` finds them, with the work per token done in
    C: one regex split, the lengths summed for bounds, the terms (None for a stop word)
    mapped through the cached `index_term`, each worked out when first asked for (ten
    snippets for a long question would otherwise spend most of their time here)."""

    def __init__(self, text: str):
        self.parts = _TOKENS.split(text)  # gap, token, gap, token, ..., gap
        self.words = self.parts[1::2]

    @cached_property
    def bounds(self) -> list[int]:
        """Token k spans bounds[2k]..bounds[2k+1]."""
        return list(accumulate(map(len, self.parts)))

    @cached_property
    def terms(self) -> list[str | None]:
        return list(map(index_term, self.words))

    def known_terms(self) -> list[str | None] | None:
        """`terms` if already worked out (by another reader of the same text), else None."""
        return self.__dict__.get("terms")


def stored_terms(text: str, language: str | None, kept: dict[str, Tokens]) -> list[str]:
    """`analyze(text, language)` of an article's stored title or body, its Tokens kept in
    `kept` (by text): a question's feedback reads its first results' words, and its page
    then marks the query's words in mostly the same texts (search.snippets reads `kept`)."""
    if not is_analysed(language):
        return analyze(text, language)
    tokens = kept.get(text)
    if tokens is None:
        tokens = kept[text] = Tokens(text)
    return list(filter(None, tokens.terms))


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
