"""What a document's other mentions of a capitalised word say about it (CRF features).

A sentence alone often cannot tell a person from a firm or a place: "Moody said"
could be either. Elsewhere the same article may write "Mr. Moody", "Moody's
Investors Service" or "in Moody". Each capitalised token therefore also gets
"D"-prefixed features gathered from the word's *other* occurrences in its
document (Chieu & Ng's global features, 2002): the words before and after its
capitalised run, the run's first and last words where it is not them, whether
it also appears lowercase or mid-sentence, and whether it is an acronym of a run
there. Each token of a run also gets the run's own ends ("R" features,
`run_features`): a long name's head lies beyond the two words either side a token
sees; and a token of a known organisation's, place's or person's name, or beside one, is
marked so ("L" features, `index.entities.known_names`). Training (`index.entities.train`) and
tagging (`index.entities.tagger`) both call `document_features`, so the two cannot
drift apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache

from index.entities.clusters import load_clusters
from index.entities.gazetteer import load_gazetteer, lookup_key
from index.entities.known_names import known_name_features

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})
# Lowercase words kept inside a capitalised run: "Bank of England", "Ludwig van Beethoven".
_JOINERS = frozenset({"of", "for", "de", "du", "von", "van", "der", "del", "la", "al", "bin"})
# The occurrences of a word whose evidence counts: later ones get theirs but add none, so a
# word repeated thousands of times (a list, a table) costs linear work, not quadratic.
EVIDENCE_LIMIT = 64


def _runs(
    words: list[str], links: frozenset[str] = _JOINERS, most: int = 1
) -> list[tuple[int, int]]:
    """(start, end) of each maximal run of capitalised words, with up to `most` linking
    words in a row kept inside ("Bank of England"; "League for the Defence")."""
    caps = [w[:1].isupper() for w in words]  # an uppercase first character is a letter
    out = []
    i, n = 0, len(words)
    while i < n:
        if not caps[i]:
            i += 1
            continue
        j = i + 1
        while j < n:
            k = j
            while k < n and k - j < most and words[k] in links:
                k += 1
            if k < n and caps[k]:
                j = k + 1  # a capitalised word, after any links
            else:
                break
        out.append((i, j))
        i = j
    return out


# Lowercase words a long name holds between capitalised ones ("Council for the Defence").
_LINKS = _JOINERS | {"the", "and", "&"}


def run_features(words: list[str]) -> list[tuple[str, ...]]:
    """Per token of a sentence, what its own run of capitalised words says ("R" features):
    where in the run it stands, the run's last word (a head such as "Rights" or "Agency"
    beyond the two words each side a token sees) and its first. Lone words get none."""
    out: list[tuple[str, ...]] = [()] * len(words)
    for start, end in _runs(words, _LINKS, 2):
        if end - start < 2:
            continue
        first, last = words[start].lower(), words[end - 1].lower()
        for at in range(start, end):
            place = "B" if at == start else "E" if at == end - 1 else "I"
            own = ("Rp=" + place,)
            if at < end - 1:
                own += ("Rl=" + last,)
            if at > start:
                own += ("Rf=" + first,)
            out[at] = own
    return out


@lru_cache(maxsize=65_536)
def _cues(word: str) -> tuple[str, ...]:
    """A run's first or last word as evidence: its listed-name flags and coarse cluster
    ("O’Brien" looked up as "O'Brien", as `features.word_features` does)."""
    word = word.translate(_APOSTROPHES)
    flags = list(load_gazetteer().get(lookup_key(word), ()))
    cluster = load_clusters().get(word.lower())
    return tuple(flags + (["c" + cluster[0]] if cluster and cluster[0] else []))


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w not in _JOINERS).upper()


def _evidence(words: list[str], start: int, end: int, at: int) -> list[str]:
    """What one capitalised occurrence (at `at`, in the run start..end) says of its word."""
    out = ["init" if at == 0 else "mid"]
    if start > 0:
        out.append("pv=" + words[start - 1].lower())
    if end < len(words):
        out.append("nx=" + words[end].lower())
    if at > start:
        out.append("fw=" + words[start].lower())
        out += ["fw" + cue for cue in _cues(words[start])]
    if at < end - 1:
        out.append("lw=" + words[end - 1].lower())
        out += ["lw" + cue for cue in _cues(words[end - 1])]
    if end - start == 1:
        out.append("alone")
    return out


def document_features(sentences: list[list[str]]) -> list[list[tuple[str, ...]]]:
    """Per sentence, per token: the "D" features its word's other occurrences give it,
    after its "R" and "L" ones.

    Lowercase tokens get none. An occurrence's own evidence is not counted for it, so a
    word seen once gets only what every document has ("Dn=1"); only a word's first
    EVIDENCE_LIMIT occurrences give evidence."""
    occurrences: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
    tokens: set[str] = set()
    runs_initials: set[str] = set()
    for s, words in enumerate(sentences):
        tokens.update(words)
        for start, end in _runs(words):
            if end - start > 1:
                runs_initials.add(_initials(words[start:end]))
            for at in range(start, end):
                word = words[at]
                if word not in _JOINERS:
                    occurrences[word.lower().translate(_APOSTROPHES)].append((s, at, start, end))
    # the word also written in lowercase: an all-lowercase token equal to its key
    curly = {
        t.translate(_APOSTROPHES)
        for t in tokens
        if t[:1].islower() and ("\u2019" in t or "\u2018" in t)
    }
    out = [
        [a + b for a, b in zip(run_features(words), known_name_features(words), strict=True)]
        for words in sentences
    ]
    for low, found in occurrences.items():
        shared = ("Dn=" + ("1" if len(found) == 1 else "2" if len(found) == 2 else "3+"),)
        if low in tokens or low in curly:
            shared += ("Dlow",)
        counted = found[:EVIDENCE_LIMIT] if len(found) > 1 else []  # alone: all its own
        evidence = [_evidence(sentences[s], start, end, at) for s, at, start, end in counted]
        total = Counter(e for own in evidence for e in own)
        for number, (s, at, _, _) in enumerate(found):
            word = sentences[s][at]
            mine = set(evidence[number]) if number < len(evidence) else set()
            feats = shared + tuple("D" + e for e, n in total.items() if n > 1 or e not in mine)
            if word.isupper() and 2 <= len(word) <= 6 and word in runs_initials:
                feats += ("Dacr",)
            out[s][at] = out[s][at] + feats
    return out
