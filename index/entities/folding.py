"""One name, one value per article: fold the mentions of one article together.

Rules (documented in the README):
- spellings differing only in case are one name, shown in its most frequent
  proper-cased spelling ("BAHIA" in a headline joins "Bahia" in the body);
- one label per name and article: a string tagged with different kinds takes
  its most frequent kind, a surname alone takes the kind of the full name it
  shortens, and a two- or three-word name tagged an organisation is a person
  when its last word alone is one;
- "CSTO Defence Ministers" is the acronym's mention, "CSTO".
Joining different names of one entity (surname -> full name, long form ->
acronym) is `index.entities.consolidate`'s job.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from index.entities.tagger import Mention
from index.entities.tokenize import word_set
from search.aliases import alias_key as key

KINDS = ("person", "organization", "place")
# Legal-form suffixes that close a company name ("Pittston Co", "IBM Corp").
CORPORATE_ENDS = word_set("co co. corp corp. inc inc. ltd ltd. plc llc ag sa s.a. nv n.v.")
_CONNECTORS = word_set("of the and for de du la le des del di da von van on in at to & a an")
_NOT_NAMES = word_set(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    i we you he she it they the a an this that these those mr mrs ms dr
    """
)
# "CSTO Defence Ministers", "OPEC officials": an acronym plus people is the acronym.
_ROLE_WORDS = word_set(
    """
    minister ministers official officials leader leaders member members chief chiefs
    spokesman spokeswoman spokesperson head heads delegation delegates envoy envoys
    secretary chairman president summit meeting troops forces states countries
    """
)


def is_acronym(value: str) -> bool:
    letters = value.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper() and " " not in value


def _initials(long_form: str) -> tuple[str, ...]:
    """Initials of every word and skipping connectors, uppercased; also without a closing
    corporate suffix ("International Business Machines Corp" is IBM)."""
    words = [w for w in re.split(r"[\s-]+", long_form) if w]
    forms = [words]
    if len(words) > 2 and words[-1].lower() in CORPORATE_ENDS:
        forms.append(words[:-1])
    out = []
    for ws in forms:
        out.append("".join(w[0] for w in ws if w[0].isalnum()).upper())
        out.append("".join(w[0] for w in ws if w.lower() not in _CONNECTORS and w[0].isalnum()))
    return tuple(i.upper() for i in out)


def acronym_matches(acronym: str, long_form: str) -> bool:
    """True when `acronym` is made of the initials of `long_form`'s words."""
    letters = acronym.replace(".", "").replace("&", "").upper()
    return len(long_form.split()) >= 2 and letters in _initials(long_form)


def best_spelling(spellings: Mapping[str, int]) -> str:
    """Most frequent proper-cased spelling; shouting (all caps) or all-lowercase ones lose."""
    if len(spellings) == 1:
        return next(iter(spellings))
    order = {s: i for i, s in enumerate(spellings)}

    def rank(s: str) -> tuple:
        proper = any(c.isupper() for c in s) and (is_acronym(s) or not s.isupper())
        return (not proper, -spellings[s], order[s])

    return min(spellings, key=rank)


def fold_mentions(mentions: Iterable[Mention]) -> dict[str, list[str]]:
    """Fold one article's mentions (in text order) into facet values per kind.

    Every distinct name stays a value ("Trump" beside "Donald Trump", "CSTO"
    beside its long form): extraction keeps what the article says, and
    `index.entities.consolidate` joins values from the stored ones.
    """
    spellings: dict[str, Counter] = {}
    kinds: dict[str, Counter] = {}
    first: dict[str, int] = {}
    mentions = list(mentions)
    alone = {key(m.text) for m in mentions if is_acronym(m.text)}
    for m in mentions:
        words = m.text.split()
        if (
            len(words) > 1
            and key(words[0]) in alone
            and words[-1].lower() in _ROLE_WORDS
            and is_acronym(words[0])
        ):
            m = m._replace(text=words[0], end=m.start + len(words[0]))
        k = key(m.text)
        if k in _NOT_NAMES or not any(c.isalpha() for c in k):
            continue
        spellings.setdefault(k, Counter())[m.text] += 1
        kinds.setdefault(k, Counter())[m.kind] += 1
        first.setdefault(k, m.start)
    _align_short_kinds(kinds)
    out: dict[str, list[str]] = {kind: [] for kind in KINDS}
    placed = []
    for k, votes in kinds.items():
        kind = max(KINDS, key=votes.__getitem__)  # a tie goes to the first in KINDS
        placed.append((first[k], kind, best_spelling(spellings[k])))
    for _, kind, value in sorted(placed):
        out[kind].append(value)
    return out


def _align_short_kinds(kinds: dict[str, Counter]) -> None:
    """One label per name in an article: "Duda" is a person where "Andrzej Duda" is one.

    (Surnames only: a first name alone is as often a place, "Milan".)

    And the other way: "Nancy Pelosi" tagged an organisation is a person where
    "Pelosi" alone is one.
    """
    top = {k: votes.most_common(1)[0][0] for k, votes in kinds.items()}
    people = set()
    for k, kind in top.items():
        words = k.split()
        if len(words) > 1 and kind == "person":
            people.add(words[-1])
    for k, votes in kinds.items():
        words = k.split()
        surname = len(words) == 1 and k in people and top[k] != "person"
        mistyped = (
            2 <= len(words) <= 3
            and top[k] == "organization"
            and top.get(words[-1]) == "person"
            and not any(w in _CONNECTORS for w in words)
        )
        if surname or mistyped:
            kinds[k] = Counter({"person": sum(votes.values())})
