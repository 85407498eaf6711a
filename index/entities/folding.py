"""One entity, one facet value: fold the mentions of one article together.

Rules (documented in the README):
- spellings differing only in case are one entity, shown in its most frequent
  proper-cased spelling ("BAHIA" in a headline joins "Bahia" in the body);
- a string tagged with different kinds takes its most frequent kind;
- an acronym and its long form are one entity and the ACRONYM is the value:
  "Collective Security Treaty Organization" -> "CSTO" when the article also says
  "CSTO" or writes "Collective Security Treaty Organization (CSTO)". Acronyms are
  what readers type and filter by (CSTO, NATO, EU); a long form never seen next
  to its acronym stays as written, and the alias file folds the well-known ones;
- a surname alone joins the FULL name given in the same article ("Lukashenka"
  -> "Alexander Lukashenka"), unless several people there share the surname;
  likewise a company's first word joins its full name ("Pittston" -> "Pittston Co").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from index.entities.tagger import Mention


def _word_set(text: str) -> frozenset[str]:
    """Readable word lists in source: whitespace-separated words."""
    return frozenset(text.split())


KINDS = ("person", "organization", "place")
_CONNECTORS = _word_set("of the and for de du la le des del di da von van on in at to & a an")
_NOT_NAMES = _word_set(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    i we you he she it they the a an this that these those mr mrs ms dr
    """
)
# "CSTO Defence Ministers", "OPEC officials": an acronym plus people is the acronym.
_ROLE_WORDS = _word_set(
    """
    minister ministers official officials leader leaders member members chief chiefs
    spokesman spokeswoman spokesperson head heads delegation delegates envoy envoys
    secretary chairman president summit meeting troops forces states countries
    """
)
_CORPORATE = _word_set(
    "co co. corp corp. inc inc. ltd ltd. plc llc ag sa nv n.v. s.a. group company corporation"
)
_PAREN_ACRONYM = re.compile(r"\s*\(\s*([A-Z][A-Za-z&.]{1,11})\s*\)")
_APOS = str.maketrans({"\u2019": "'"})


def key(value: str) -> str:
    """Case-insensitive identity of a value (what the index matches on)."""
    return " ".join(value.translate(_APOS).casefold().split())


def is_acronym(value: str) -> bool:
    letters = value.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper() and " " not in value


def _initials(long_form: str) -> tuple[str, str]:
    """(initials of every word, initials skipping connectors), uppercased."""
    words = [w for w in re.split(r"[\s-]+", long_form) if w]
    every = "".join(w[0] for w in words if w[0].isalnum()).upper()
    content = "".join(w[0] for w in words if w.lower() not in _CONNECTORS and w[0].isalnum())
    return every, content.upper()


def acronym_matches(acronym: str, long_form: str) -> bool:
    """True when `acronym` is made of the initials of `long_form`'s words."""
    letters = acronym.replace(".", "").replace("&", "").upper()
    return len(long_form.split()) >= 2 and letters in _initials(long_form)


def best_spelling(spellings: Counter) -> str:
    """Most frequent proper-cased spelling; shouting (all caps) or all-lowercase ones lose."""
    order = {s: i for i, s in enumerate(spellings)}

    def rank(s: str) -> tuple:
        proper = any(c.isupper() for c in s) and (is_acronym(s) or not s.isupper())
        return (not proper, -spellings[s], order[s])

    return min(spellings, key=rank)


def fold(mentions: Iterable[Mention], text: str = "", join: bool = True) -> dict[str, list[str]]:
    """Fold one article's mentions (in text order) into facet values per kind.

    With `join=False` every distinct name stays a value ("Trump" beside "Donald
    Trump", "CSTO" beside its long form) and only takes the kind of the name it
    shortens: extraction keeps what the article says, and
    `index.entities.consolidate` joins values from the stored ones.
    """
    spellings: dict[str, Counter] = {}
    kinds: dict[str, Counter] = {}
    first: dict[str, int] = {}
    target: dict[str, str] = {}  # key -> key it folds into
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
        if join and text and " " in m.text:
            paren = _PAREN_ACRONYM.match(text, m.end)
            if paren and acronym_matches(paren.group(1), m.text):
                ak = key(paren.group(1))
                spellings.setdefault(ak, Counter())[paren.group(1)] += 1
                kinds.setdefault(ak, Counter())[m.kind] += 1
                first.setdefault(ak, paren.start(1))
                target[k] = ak
    acronyms = {
        k: best_spelling(spellings[k]) for k in spellings if is_acronym(next(iter(spellings[k])))
    }
    if not join:
        _align_short_kinds(kinds)
    for k in spellings:
        if not join or k in target or " " not in k:
            continue
        sample = best_spelling(spellings[k])
        hits = [a for a, spelled in acronyms.items() if acronym_matches(spelled, sample)]
        if len(hits) == 1:
            target[k] = hits[0]
    if join:
        _join_surnames(spellings, kinds, target)

    merged: dict[str, str] = {}  # every key -> its final key
    for k in spellings:
        seen = {k}
        final = k
        while final in target and target[final] not in seen:
            final = target[final]
            seen.add(final)
        merged[k] = final
    groups: dict[str, list[str]] = {}
    for k, final in merged.items():
        groups.setdefault(final, []).append(k)

    out: dict[str, list[str]] = {kind: [] for kind in KINDS}
    placed = []
    for final, members in groups.items():
        kind_votes = Counter()
        for k in members:
            kind_votes.update(kinds[k])
        # the full name's (or acronym's) own kind first, then all the votes
        own = kinds[final]
        kind = max(KINDS, key=lambda kd: (own[kd], kind_votes[kd], -KINDS.index(kd)))
        position = min(first[k] for k in members)
        placed.append((position, kind, best_spelling(spellings[final])))
    for _, kind, value in sorted(placed):
        out[kind].append(value)
    return out


def _join_surnames(spellings: dict, kinds: dict, target: dict) -> None:
    """A one-word name joins the one full name it shortens, in the same article.

    People by surname ("Lukashenka" -> "Alexander Lukashenka"); companies by their
    first word when the full name has a corporate suffix ("Pittston" -> "Pittston Co").
    """
    by_last: dict[str, set[str]] = {}
    by_first: dict[str, set[str]] = {}
    for k, votes in kinds.items():
        words = k.split()
        if len(words) < 2 or k in target:
            continue
        kind = votes.most_common(1)[0][0]
        if kind == "person":
            by_last.setdefault(words[-1], set()).add(k)
        elif kind == "organization" and words[-1] in _CORPORATE:
            by_first.setdefault(words[0], set()).add(k)
    for k in spellings:
        if " " in k or k in target:
            continue
        full = by_last.get(k) or by_first.get(k)
        if full and len(full) == 1:
            target[k] = next(iter(full))


def _align_short_kinds(kinds: dict[str, Counter]) -> None:
    """One label per name in an article: "Duda" is a person where "Andrzej Duda" is one."""
    people: dict[str, int] = {}
    for k, votes in kinds.items():
        words = k.split()
        if len(words) > 1 and votes.most_common(1)[0][0] == "person":
            for word in {words[0], words[-1]}:
                people[word] = people.get(word, 0) + 1
    for k, votes in kinds.items():
        if " " not in k and k in people and votes.most_common(1)[0][0] != "person":
            kinds[k] = Counter({"person": sum(votes.values())})
