"""One entity in two scripts: which script a value is in, its facet identity, its display.

An entity named as "Vladimir Putin" in English articles and "Владимир Путин" in
Russian ones is one facet value once `index.entities.scripts` has joined them:
each article keeps its own spelling in `entities` and records the other one in
`other_script` ({kind: {value: other-script spelling}}). The facet's index term
is the Latin spelling's (`facet_identity`), so both count as one value, and the
`spelling` field keeps every spelling articles use, so a page shows the entity
in its own language's script (`display_spelling`) and the entity page lists
the other one.

Both sides need these rules: `index/` to write the term, `search/` to show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

LATIN, CYRILLIC = "latin", "cyrillic"
# The script a page in each interface language shows names in.
LANGUAGE_SCRIPTS = {"en": LATIN, "ru": CYRILLIC, "be": CYRILLIC, "uk": CYRILLIC}


def script(text: str) -> str | None:
    """LATIN or CYRILLIC: the script most of the letters of `text` are in; None for neither."""
    cyrillic = latin = 0
    for char in text:
        if "\u0400" <= char <= "\u052f":  # Cyrillic and its supplement (ў, і, ґ are in it)
            cyrillic += 1
        elif char.isalpha() and (char.isascii() or "\u00c0" <= char <= "\u024f"):
            latin += 1
    if not cyrillic and not latin:
        return None
    return CYRILLIC if cyrillic > latin else LATIN


def facet_identity(value: str, other: str | None) -> str:
    """The spelling whose folded form is the facet term: the Latin one of the pair.

    Latin, because an archive's existing values (and the alias file's canonical ones)
    are Latin: joining a Cyrillic spelling to them changes no English article's term.
    """
    if other and script(value) == CYRILLIC and script(other) == LATIN:
        return other
    return value


def spans_scripts(spellings: Iterable[str]) -> bool:
    """Whether articles spell one value in more than one script (Latin and Cyrillic): the
    values a page shows in its own language's script."""
    return len({script(s) for s in spellings}) > 1


def display_spelling(counts: Mapping[str, int], language: str | None = None) -> str:
    """The spelling a page in `language` shows: the most frequent one in the language's
    script, else the most frequent one; ties to the alphabetically first."""
    wanted = LANGUAGE_SCRIPTS.get(language or "")
    pool = sorted(counts)
    if wanted is not None:
        pool = [s for s in pool if script(s) == wanted] or pool
    return max(pool, key=counts.__getitem__)
