"""An article's language: the code a source gives, normalised, or detected from the text.

The language decides the analysis (search.analysis): `ANALYSED` languages get their
own stemming, any other one the language-neutral analysis. Detection uses lingua
(its models ship in the wheel) limited to the languages an archive of the region
meets, on a prefix of the text, in low-accuracy mode: about a millisecond per
article, so ingest can run it on every article that arrives without a language.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

ANALYSED = ("en", "ru")
"""Languages with their own analysis; every other one is analysed language-neutrally."""

DETECTED = ("en", "ru", "be", "uk", "de", "fr", "es", "it", "pt", "pl", "nl")
"""What detection can answer: English, Russian, Belarusian, Ukrainian and the main
European languages. A longer list costs time on every article and buys nothing here."""

DETECTION_CHARS = 200  # detection reads the title and the start of the body, this many chars
DEFAULT = "en"  # the archive's language when the text says nothing clearly
# lingua's confidence (0-1, relative to the other candidates) needed to answer a language:
# real prose scores 0.99+; abbreviations and figures (Reuters' earnings tables) 0.3-0.9.
CONFIDENT = 0.95

# "ru", "RU", "ru-RU", "ru_RU", "rus" (ISO 639-2) -> "ru"; anything else is not a tag.
_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_THREE_LETTER = {
    "eng": "en",
    "rus": "ru",
    "bel": "be",
    "ukr": "uk",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "pol": "pl",
    "nld": "nl",
    "dut": "nl",
}
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")
_NOT_ENGLISH = re.compile(r"[^\W\d_A-Za-z]")  # any letter but a-z
_NOT_RUSSIAN = re.compile("[іїєґўІЇЄҐЎ]")  # Ukrainian and Belarusian letters

# Function words no other language of DETECTED writes alike ("a", "in", "on" are French,
# German, Italian words too), and their Russian counterparts; a sample of at least
# MARKER_MIN_WORDS words with this share of them is English (Russian) without a doubt.
_ENGLISH_MARKERS = "the and of to is was for that with from has have are were by its which said"
_RUSSIAN_MARKERS = "и в во не на что как по это из за от он она они но с к у о а для его их при до"
ENGLISH_MARKERS = frozenset(_ENGLISH_MARKERS.split())
RUSSIAN_MARKERS = frozenset(_RUSSIAN_MARKERS.split())
MARKER_MIN_WORDS = 8
MARKER_SHARE = 0.12


def normalize_language(tag: Any) -> str | None:
    """The ISO 639-1 code of a language tag ("RU", "ru-RU", "ru_RU" -> "ru"); None for
    anything that is not one (empty, "x", "123", "english")."""
    if not isinstance(tag, str):
        return None
    match = _TAG.fullmatch(tag.strip())
    if not match:
        return None
    code = match.group(1).lower()
    if len(code) == 3:
        return _THREE_LETTER.get(code)
    return code


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language `text` is written in, read from its first
    DETECTION_CHARS characters. Unless lingua is sure (CONFIDENT), the script decides
    (Cyrillic: "ru", else DEFAULT): an English table of figures ("Shr 1.03 dlrs vs 1.34
    dlrs") is not French, and the answer always names an analysis."""
    sample = _prefix(text)
    obvious = _obvious(sample)
    if obvious:
        return obvious
    if _LETTER.search(sample):
        best = detector().compute_language_confidence_values(sample)[0]
        if best.value >= CONFIDENT:
            return best.language.iso_code_639_1.name.lower()
    return "ru" if _CYRILLIC.search(sample) else DEFAULT


def article_language(title: str, body: str) -> str:
    """The detected language of an article: its title and the start of its body."""
    return detect_language(f"{title}\n{body[:DETECTION_CHARS]}")


def is_analysed(language: str | None) -> bool:
    """Whether `language` has its own analysis (None: an article indexed before languages
    were recorded, analysed as it always was)."""
    return language is None or language in ANALYSED


def _obvious(sample: str) -> str | None:
    """English or Russian when the sample shows it plainly, without lingua (ten times
    cheaper, and most articles of this archive): only unaccented Latin letters and one
    word in MARKER_SHARE from ENGLISH_MARKERS, or Cyrillic without the letters Russian
    lacks and as many RUSSIAN_MARKERS."""
    words = _WORD.findall(sample.lower())
    if len(words) < MARKER_MIN_WORDS:
        return None
    if not _NOT_ENGLISH.search(sample):
        language, markers = "en", ENGLISH_MARKERS
    elif _CYRILLIC.search(sample) and not _NOT_RUSSIAN.search(sample):
        language, markers = "ru", RUSSIAN_MARKERS
    else:
        return None
    hits = sum(word in markers for word in words)
    return language if hits >= MARKER_SHARE * len(words) else None


def _prefix(text: str) -> str:
    """The first DETECTION_CHARS characters, not cutting a word in two."""
    if len(text) <= DETECTION_CHARS:
        return text
    cut = text.rfind(" ", 0, DETECTION_CHARS)
    return text[: cut if cut > DETECTION_CHARS // 2 else DETECTION_CHARS]


@lru_cache(maxsize=1)
def detector() -> Any:
    """Built once per process, on first use (about 0.4 s: the models of DETECTED)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in DETECTED]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()
