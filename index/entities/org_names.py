"""A list of organisations' names as CRF features: is this run of words a known body?

The misses the tagger makes on web text are mostly organisations it never saw in
training ("Mayo Clinic", "Taliban"): nothing in a sentence says a two-word name is
a clinic's, a party's or a firm's unless the reader already knows it. A list of
organisations, written out by category (firms, government bodies, international
bodies and NGOs, parties and armed groups, media and platforms, universities and
institutes, sports clubs and bands; `organisations.txt`, one name per line), says
so. Each sentence's longest matches of a listed name mark their tokens ("L"
features: where the token stands in the match, and that a match starts just after
or ends just before it). The list only flags; the weights come from training, so
"Apple" or "Shell" still read as their context says.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from index.entities.gazetteer import lookup_key
from index.entities.tokenize import tokenize

ORG_NAMES_PATH = Path(__file__).with_name("organisations.txt")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
_LONGEST = 12  # tokens: no listed name is longer


@lru_cache(maxsize=1)
def load_org_names(path: str | None = None) -> dict[str, frozenset[tuple[str, ...]]]:
    """First token -> the listed names (as token tuples) that start with it."""
    file = Path(path) if path else ORG_NAMES_PATH
    if not file.is_file():
        raise FileNotFoundError(
            f"organisation names {file} are missing (they ship with the entity model)"
        )
    names: dict[str, set[tuple[str, ...]]] = {}
    with open(file, encoding="utf-8") as handle:
        for line in handle:
            name = line.strip()
            if name and not name.startswith("#"):
                words = tuple(t.text.translate(_APOSTROPHES) for t in tokenize(name))
                if 0 < len(words) <= _LONGEST:
                    names.setdefault(words[0], set()).add(words)
    return {first: frozenset(found) for first, found in names.items()}


def _match(words: list[str], at: int, names: dict[str, frozenset[tuple[str, ...]]]) -> int:
    """Length of the longest listed name starting at `at` (0: none)."""
    found = names.get(words[at])
    if not found:
        return 0
    for size in range(min(_LONGEST, len(words) - at), 0, -1):
        if tuple(words[at : at + size]) in found:
            return size
    return 0


def _straight(words: list[str]) -> list[str]:
    return [w.translate(_APOSTROPHES) if "\u2019" in w or "\u2018" in w else w for w in words]


def org_name_features(words: list[str]) -> list[tuple[str, ...]]:
    """Per token of a sentence, what the longest listed names matched in it say: "Lo=S" a
    one-word name, "Lo=B"/"Lo=I"/"Lo=E" its first, inner and last words; "Lo>" the word
    just before a match, "Lo<" the word just after. A headline's capitals ("GAZPROM")
    match as a title ("Gazprom") where the word as written does not."""
    names = load_org_names()
    out: list[tuple[str, ...]] = [()] * len(words)
    plain = _straight(words)
    starts = [
        i for i, w in enumerate(plain) if w in names or (w.isupper() and lookup_key(w) in names)
    ]
    if not starts:
        return out
    titled: list[str] = []
    end = 0
    for at in starts:
        if at < end:
            continue
        size = _match(plain, at, names)
        if not size:
            titled = titled or [lookup_key(w) for w in plain]
            size = _match(titled, at, names)
        if not size:
            continue
        if size == 1:
            out[at] += ("Lo=S",)
        else:
            out[at] += ("Lo=B",)
            for inner in range(at + 1, at + size - 1):
                out[inner] += ("Lo=I",)
            out[at + size - 1] += ("Lo=E",)
        if at:
            out[at - 1] += ("Lo>",)
        end = at + size
        if end < len(words):
            out[end] += ("Lo<",)
    return out
