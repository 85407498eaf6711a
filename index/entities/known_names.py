"""Lists of known organisations, places and people as CRF features: is this run of words
a name a reader would already know?

The misses the tagger makes on web text are mostly names it never saw in training
("Mayo Clinic", "Taliban", "Kennedy Space Center"): nothing in a sentence says a
two-word name is a clinic's, a party's or a launch site's unless the reader already
knows it. Three lists, written out by category (`known_organisations.txt`: firms,
government bodies, international bodies and NGOs, parties and armed groups, media and
platforms, universities and institutes, sports clubs and bands, then websites, journals and
research bodies, courts and legislatures, police and military units, transport, utility and
retail firms, advocacy, religious and tribal bodies; `known_places.txt`: buildings and
landmarks, natural features, places below the country level, and places a gazetteer
misses (streets, sites, districts, planets); `known_people.txt`: people in politics, sport,
culture, business and science, and fictional characters and stage names; one name per
line), say so. Each sentence's longest matches of each list's names mark their
tokens ("L" features: "Lo" organisations, "Lp" places, "Lh" people; where the token
stands in the match, and that a match starts just after or ends just before it). The
lists only flag; the weights come from training, so "Apple" or "Shell" still read as
their context says.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from index.entities.gazetteer import lookup_key
from index.entities.tokenize import tokenize

KNOWN_NAMES_DIR = Path(__file__).parent
LISTS = (("Lo", "known_organisations.txt"), ("Lp", "known_places.txt"), ("Lh", "known_people.txt"))
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
_LONGEST = 12  # tokens: no listed name is longer
# Letters and single spaces, as nine names in ten are: the tokenizer splits them at the spaces
# alone, so `str.split` does its work, in a sixth of its time (lists load at start-up).
_WORDS_ONLY = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")
Names = dict[str, frozenset[tuple[str, ...]]]


@lru_cache(maxsize=8)
def load_names(path: str) -> Names:
    """One list: first token -> the listed names (as token tuples) that start with it."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"known names {file} are missing (they ship with the entity model)")
    names: dict[str, set[tuple[str, ...]]] = {}
    with open(file, encoding="utf-8") as handle:
        for line in handle:
            name = line.strip()
            if name and not name.startswith("#"):
                if _WORDS_ONLY.fullmatch(name):
                    words = tuple(name.split(" "))
                else:
                    words = tuple(t.text.translate(_APOSTROPHES) for t in tokenize(name))
                if 0 < len(words) <= _LONGEST:
                    names.setdefault(words[0], set()).add(words)
    return {first: frozenset(found) for first, found in names.items()}


def load_known_names() -> list[tuple[str, Names]]:
    """Every list with its features' prefix, from KNOWN_NAMES_DIR (read once per folder:
    this runs for every sentence)."""
    return _lists_in(KNOWN_NAMES_DIR)


@lru_cache(maxsize=4)
def _lists_in(folder: Path) -> list[tuple[str, Names]]:
    return [(prefix, load_names(str(folder / file))) for prefix, file in LISTS]


def _match(words: list[str], at: int, names: Names) -> int:
    """Length of the longest listed name starting at `at` (0: none)."""
    found = names.get(words[at])
    if not found:
        return 0
    for size in range(min(_LONGEST, len(words) - at), 0, -1):
        if tuple(words[at : at + size]) in found:
            return size
    return 0


def known_name_features(words: list[str]) -> list[tuple[str, ...]]:
    """Per token of a sentence, what each list's longest names matched in it say: "Lo=S" a
    one-word organisation, "Lo=B"/"Lo=I"/"Lo=E" the first, inner and last words of a
    longer one; "Lo>" the word just before a match, "Lo<" the word just after ("Lp" for
    places, "Lh" for people). A headline's capitals ("GAZPROM") match as a title
    ("Gazprom") where the word as written does not."""
    plain = [w.translate(_APOSTROPHES) if "\u2019" in w or "\u2018" in w else w for w in words]
    titled = [lookup_key(w) for w in plain]  # differs from `plain` only for capitals
    out: list[tuple[str, ...]] = [()] * len(words)
    for prefix, names in load_known_names():
        _mark(plain, titled, names, prefix, out)
    return out


def _mark(
    plain: list[str], titled: list[str], names: Names, prefix: str, out: list[tuple[str, ...]]
) -> None:
    """Add one list's marks to `out`."""
    pairs = enumerate(zip(plain, titled, strict=True))
    starts = [i for i, (w, t) in pairs if w in names or t in names]
    end = 0
    for at in starts:
        if at < end:
            continue
        size = _match(plain, at, names)
        if not size:
            size = _match(titled, at, names)
        if not size:
            continue
        if size == 1:
            out[at] += (prefix + "=S",)
        else:
            out[at] += (prefix + "=B",)
            for inner in range(at + 1, at + size - 1):
                out[inner] += (prefix + "=I",)
            out[at + size - 1] += (prefix + "=E",)
        if at:
            out[at - 1] += (prefix + ">",)
        end = at + size
        if end < len(plain):
            out[end] += (prefix + "<",)
