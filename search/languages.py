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
DEFAULT = "en"  # the archive's language when the text says nothing (no letters at all)

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
    DETECTION_CHARS characters. When lingua cannot tell, the script decides (Cyrillic:
    "ru", else DEFAULT), so the answer always names an analysis."""
    sample = _prefix(text)
    found = _detector().detect_language_of(sample) if _LETTER.search(sample) else None
    if found is not None:
        return found.iso_code_639_1.name.lower()
    return "ru" if _CYRILLIC.search(sample) else DEFAULT


def is_analysed(language: str | None) -> bool:
    """Whether `language` has its own analysis (None: an article indexed before languages
    were recorded, analysed as it always was)."""
    return language is None or language in ANALYSED


def _prefix(text: str) -> str:
    """The first DETECTION_CHARS characters, not cutting a word in two."""
    if len(text) <= DETECTION_CHARS:
        return text
    cut = text.rfind(" ", 0, DETECTION_CHARS)
    return text[: cut if cut > DETECTION_CHARS // 2 else DETECTION_CHARS]


@lru_cache(maxsize=1)
def _detector() -> Any:
    """Built once per process, on first use (about 0.4 s: the models of DETECTED)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in DETECTED]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()
