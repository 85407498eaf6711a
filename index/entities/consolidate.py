"""One value per entity across the archive, computed from stored values alone.

Extraction keeps each name as an article writes it ("Trump" beside "Donald
Trump", "House" beside "House of Representatives"). Consolidation joins them,
reading only the entity values already stored, never the source files:

1. Within one article (`join_article`): a first name or surname alone joins the
   one full name of a person there that starts or ends with it ("Sanders" ->
   "Bernie Sanders"); an organisation's first word joins the one longer name
   there that continues with "of" or a corporate suffix ("House" -> "House of
   Representatives", "Pittston" -> "Pittston Co"), a longer one the one company name
   there that only a suffix follows ("J.P. Morgan" -> "J.P. Morgan and Co"), a "person"
   among them too ("Goldman Sachs"); a place joins the one place
   there that qualifies it after a comma ("Washington" -> "Washington, D.C.");
   a long form joins its acronym of the same kind ("Collective Security Treaty
   Organization" -> "CSTO"; a "person" its organisation's acronym: "Agence
   France-Presse" -> "AFP"; never the place "United Kingdom" -> an organisation
   "U.K" a table row was tagged as), except that a place's acronym joins its
   name ("N.Y." -> "New York": readers look places up by name).
2. Across the archive (`Consolidation.build`): a one-word person name joins
   the full name when the archive knows exactly one person with that first name
   or surname, or one who holds at least 90% of the articles naming such
   people; a long form joins the acronym every article that names both joined it
   to (a place's dotted acronym the one name every such article spelled it out
   as: "N.Y.", not a code such as "WA" that elsewhere means another place), unless
   the acronym is of another kind and the long form stands alone in at least three
   times as many articles ("Jesus Christ" is no "JC" of a few signatures); and
   a name filed under several kinds takes the kind at least three times
   as many articles give it ("Twitter" as a person in one article, an
   organisation in twenty); a one-word "person" that starts exactly one company
   name with a corporate suffix is that company ("Chrysler" -> "Chrysler Corp"; not
   where it stands alone in over twice as many articles: "Clinton" is no "Clinton and
   Co."), a longer one the company its suffix alone follows ("Goldman Sachs" ->
   "Goldman, Sachs and Co"), and a name joined to such a "person" goes with it; a
   body after a country ("U.S. Senate") joins its name alone where more articles
   write that; and a first name alone that starts three or more people's full
   names and five times as many as it ends ("John", beside "Elton John") is dropped: it
   names nobody a reader can pick; so is a surname alone that ends three or more people's
   names, five times as many as it starts, none of whom it stands for ("Brown").

Every join maps a value to an entity key (`key` of its canonical value), so a
later cross-script step can map other spellings to the same key.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

from index.entities import folding
from index.entities.folding import CORPORATE_ENDS, KINDS, best_spelling, is_acronym, key

# Long forms repeat across an archive's articles: each is checked against an acronym once per
# process (`key`, search.aliases.alias_key, keeps its own cache).
acronym_matches = lru_cache(maxsize=1 << 16)(folding.acronym_matches)

Entities = dict[str, list[str]]
_CORPORATE = CORPORATE_ENDS | {"group", "company", "corporation"}  # "Pittston" -> "Pittston Co"
# What may follow a founder's name in a company's: "J.P. Morgan" -> "J.P. Morgan and Co".
_FIRM_TAIL = _CORPORATE | {"and", "&", "cos", "brothers", "bros", "bros."}
# A long form joins an acronym of its own kind; a "person" with an acronym is an
# organisation misread ("Agence France-Presse" -> AFP), but a place stays a place.
_ANY_ACRONYM = {"person": "organization"}
# A country before a body's name, where the archive also names it without ("U.S. Senate").
_COUNTRY_PREFIXES = frozenset({"us", "u.s.", "uk", "u.k."})
KIND_MARGIN = 3  # a kind needs this many times the articles of the others to take a name
MIN_KIND_ARTICLES = 3
DOMINANT_SHARE = 0.9  # of the articles naming people who share a first name or surname
MIN_DOMINANT_ARTICLES = 5
FIRM_SHARE = 2  # a one-word firm name stands alone in at most this many times its articles
AMBIGUOUS_NAMES = 3  # full names a first name or surname alone would have to choose from
NAME_MARGIN = 5  # ... and how many times as many it starts as it ends (a surname: the reverse)


def _targets_in_article(kind: str, keys: list[str]) -> dict[str, str]:
    """key -> key it joins within one article, for one kind's values."""
    multi = [(k, k.split()) for k in keys if " " in k]
    firm_names = _by_first_word(m for m, words in multi if words[-1].strip(",") in _FIRM_TAIL)
    target: dict[str, str] = {}
    for k in keys:
        if " " in k:
            if kind == "organization" and firm_names:
                firms = {m for m in firm_names.get(_first_word(k), ()) if _firm_of(k, m)}
                if len(firms) == 1:
                    target[k] = next(iter(firms))
            continue
        if kind == "person":
            full = {m for m, words in multi if words[-1] == k or words[0] == k}
        elif kind == "organization":
            full = {
                m
                for m, words in multi
                if words[0] == k and (words[1] == "of" or words[-1] in _CORPORATE)
            }
        else:
            full = {m for m, _ in multi if m.startswith(k + ",")}
        if len(full) == 1:
            target[k] = next(iter(full))
    return target


def join_article(entities: Entities, join_acronyms: bool = True) -> tuple[Entities, dict[str, str]]:
    """One article's values with its short forms joined; also the pairs seen of a long form
    and its acronym, as which joins which: long form -> acronym, a place's acronym -> name.

    `join_acronyms=False` keeps a long form beside the acronym standing for it (ingest joins
    short forms early; the archive-level table still needs the pair's votes)."""
    out: Entities = {kind: [] for kind in KINDS}
    acronyms: dict[str, tuple[str, str]] = {}  # acronym key -> (kind, spelling)
    for kind in KINDS:
        for value in entities.get(kind) or []:
            if is_acronym(value):
                acronyms.setdefault(key(value), (kind, value))
    entities = _companies_first(entities)
    pairs: dict[str, str] = {}
    for kind in KINDS:
        values = list(dict.fromkeys(entities.get(kind) or []))
        keys = [key(v) for v in values]
        spelled = dict(zip(keys, values, strict=True))
        target = _targets_in_article(kind, keys)
        named_in_full: set[str] = set()  # place acronyms whose long form is here ("N.Y.")
        for k, value in zip(keys, values, strict=True):
            if " " in k and k not in target:
                hits = [
                    a
                    for a, (kd, s) in acronyms.items()
                    if kd in (kind, _ANY_ACRONYM.get(kind)) and acronym_matches(s, value)
                ]
                if len(hits) == 1 and kind == "place":  # a place keeps its name: "New York"
                    if "." in hits[0]:  # "N.Y."; a code such as "WA" means other places too
                        pairs[hits[0]] = k
                    if join_acronyms:
                        named_in_full.add(hits[0])
                elif len(hits) == 1:
                    pairs[k] = hits[0]
                    if join_acronyms:
                        continue  # the acronym stands for it
            final = target.get(k, k)
            if final == k or final in spelled:
                out[kind].append(spelled[final])
        out[kind] = [v for v in dict.fromkeys(out[kind]) if key(v) not in named_in_full]
    return out, pairs


def _first_word(k: str) -> str:
    return k.split(maxsplit=1)[0].strip(",")


def _by_first_word(names: Iterable[str]) -> dict[str, list[str]]:
    """Names by their first word: only a name starting with `k`'s can pass `_firm_of(k, ...)`."""
    out: dict[str, list[str]] = {}
    for name in names:
        out.setdefault(_first_word(name), []).append(name)
    return out


def _firm_of(k: str, company: str) -> bool:
    """True when `company` is the key `k` followed by a corporate suffix only ("goldman sachs"
    of "goldman, sachs and co"; not "dean witter" of "dean witter reynolds inc")."""
    words = [w.strip(",") for w in company.split()]
    n = len(k.split())
    head, tail = words[:n], words[n:]
    return (
        head == [w.strip(",") for w in k.split()]
        and bool(tail)
        and all(w in _FIRM_TAIL for w in tail)
        and tail[-1] not in ("and", "&")
    )


def _companies_first(entities: Entities) -> Entities:
    """A "person" that starts a company's name there is that company: a one-word one any
    company's ("Pittston"), a longer one a name its suffix alone follows ("J.P. Morgan").

    Places are left alone: "France" is not "France Fund Inc".
    """
    companies = [
        k
        for k in map(key, entities.get("organization") or [])
        if " " in k and k.split()[-1] in _FIRM_TAIL
    ]
    if not companies:
        return entities
    firsts = {c.split()[0] for c in companies if c.split()[-1] in _CORPORATE}
    by_first = _by_first_word(companies)

    def firm(k: str) -> bool:
        return k in firsts or (
            " " in k and any(_firm_of(k, c) for c in by_first.get(_first_word(k), ()))
        )

    out = {kind: list(entities.get(kind) or []) for kind in KINDS}
    firms = [firm(key(v)) for v in out["person"]]
    moved = [v for v, is_firm in zip(out["person"], firms, strict=True) if is_firm]
    out["person"] = [v for v, is_firm in zip(out["person"], firms, strict=True) if not is_firm]
    out["organization"] += moved
    return out


class Consolidation:
    """The archive-level table: (kind, value key) -> (kind, canonical value)."""

    def __init__(self, table: dict[tuple[str, str], tuple[str, str]]):
        self.table = table

    @classmethod
    def build(cls, articles: Iterable[Entities]) -> Consolidation:
        """Learn the joins from every article's stored values (after `join_article`)."""
        return cls.build_joined(join_article(entities) for entities in articles)

    @classmethod
    def build_joined(cls, articles: Iterable[tuple[Entities, dict[str, str]]]) -> Consolidation:
        """`build` from each article's `join_article` output, when the caller keeps it for
        `apply_joined` (the archive's consolidation joins every article once, not twice)."""
        docs: Counter = Counter()  # (kind, key) -> articles
        spellings: defaultdict[str, Counter] = defaultdict(Counter)
        join_votes: defaultdict[str, Counter] = defaultdict(Counter)  # value -> what it joins
        for joined, pairs in articles:
            for joining, into in pairs.items():
                join_votes[joining][into] += 1
            for kind in KINDS:
                for value in joined[kind]:
                    k = key(value)
                    docs[(kind, k)] += 1
                    spellings[k][value] += 1
        table: dict[tuple[str, str], tuple[str, str]] = {}
        kind_of = _kind_majority(docs)
        for (kind, k), to in kind_of.items():
            table[(kind, k)] = (to, k)
        for k, bare in _country_prefixed(docs, spellings).items():
            table[("organization", k)] = ("organization", bare)
        people = Counter(
            {k: n for (kind, k), n in docs.items() if kind_of.get((kind, k), kind) == "person"}
        )
        unique = _unique_people(people)
        for k, full in unique.items():
            for kind in KINDS:
                if (kind, k) in docs and kind_of.get((kind, k), kind) == "person":
                    table[(kind, k)] = ("person", full)
        firms = {}
        for k, company in _unique_companies(docs).items():
            # "Clinton" alone in 319 articles is not the "Clinton and Co." of two
            named = " " in k or docs[("organization", company)] * FIRM_SHARE >= docs[("person", k)]
            if ("person", k) in docs and ("person", k) not in table and named:
                table[("person", k)] = firms[k] = ("organization", company)
        for src, to in table.items():  # "Kidder", joined to "Kidder Peabody", is the firm too
            if to[0] == "person" and to[1] in firms:
                table[src] = firms[to[1]]
        for k in _ambiguous_names(people, unique):
            for kind in KINDS:
                if (kind, k) in docs and table.get((kind, k), ("person",))[0] == "person":
                    table[(kind, k)] = (kind, "")  # dropped: "John", "Brown" alone name nobody
        for joining, votes in join_votes.items():  # a long form, or a place's acronym
            if len(votes) == 1:
                into = next(iter(votes))  # its acronym, or the place's name
                kinds = [kd for kd in KINDS if (kd, into) in docs]
                if len(kinds) == 1:
                    for kind in KINDS:
                        # of another kind, named alone in many more articles than beside the
                        # acronym: that kind's own name ("Jesus Christ", no "JC" of signatures)
                        alone = docs[(kind, joining)]
                        if alone and (kind == kinds[0] or alone < KIND_MARGIN * votes[into]):
                            table[(kind, joining)] = (kinds[0], into)
        display = {k: best_spelling(c) for k, c in spellings.items()}
        display[""] = ""
        return cls(
            {src: (kind, display[k]) for src, (kind, k) in table.items() if (kind, k) != src}
        )

    def apply(self, entities: Entities) -> Entities:
        """One article's stored values, consolidated (idempotent)."""
        return self.apply_joined(join_article(entities)[0])

    def apply_joined(self, joined: Entities) -> Entities:
        """`apply` to an article's values already through `join_article`."""
        out: Entities = {kind: [] for kind in KINDS}
        seen: set[tuple[str, str]] = set()
        for kind in KINDS:
            for value in joined[kind]:
                to_kind, to_value = self.table.get((kind, key(value)), (kind, value))
                if to_value and (to_kind, key(to_value)) not in seen:
                    seen.add((to_kind, key(to_value)))
                    out[to_kind].append(to_value)
        return out

    def __len__(self) -> int:
        return len(self.table)


def _unique_companies(docs: Counter) -> dict[str, str]:
    """Name -> the company it stands for: the one company name with a corporate suffix a word
    starts ("Chrysler"); for a longer name, the company its suffix alone follows ("Goldman
    Sachs" -> "Goldman, Sachs and Co", "Goldman Sachs and Co" or "... Inc": one firm)."""
    by_first: dict[str, set[str]] = {}
    firms: dict[str, list[str]] = {}  # first word -> companies it starts
    for kind, k in docs:
        words = k.split()
        if kind == "organization" and len(words) > 1 and words[-1] in _FIRM_TAIL:
            firms.setdefault(_first_word(k), []).append(k)
            if words[-1] in _CORPORATE:
                by_first.setdefault(words[0], set()).add(k)
    out = {first: next(iter(full)) for first, full in by_first.items() if len(full) == 1}
    for kind, k in docs:
        if kind == "person" and " " in k:
            full = [f for f in firms.get(_first_word(k), ()) if _firm_of(k, f)]
            if full:  # one firm however its suffix is written: its most frequent form
                out[k] = max(full, key=lambda f: docs[("organization", f)])
    return out


def _country_prefixed(docs: Counter, spellings: dict[str, Counter]) -> dict[str, str]:
    """ "u.s. senate" -> "senate" where the archive names the body more often without it;
    not before an acronym, which the country may be part of ("UK TV", "US Open")."""
    out = {}
    for kind, k in docs:
        first, _, bare = k.partition(" ")
        if kind != "organization" or first not in _COUNTRY_PREFIXES or not bare:
            continue
        if docs[(kind, bare)] >= docs[(kind, k)] and not is_acronym(best_spelling(spellings[bare])):
            out[k] = bare
    return out


def _ambiguous_names(people: Counter, joined: dict[str, str]) -> set[str]:
    """One-word person names that name nobody a reader can pick: one that starts at least
    AMBIGUOUS_NAMES full names and NAME_MARGIN times as many as it ends ("John": hundreds,
    beside "Elton John"), or a surname that ends as many and that margin more than it
    starts, unless one of those people is the one it stands for (`joined`: "Trump")."""
    starts: Counter = Counter()
    ends: Counter = Counter()
    for k in people:
        words = k.split()
        if len(words) > 1:
            starts[words[0]] += 1
            ends[words[-1]] += 1
    out = set()
    for k in people:
        if " " in k:
            continue
        if starts[k] >= AMBIGUOUS_NAMES and starts[k] >= NAME_MARGIN * ends[k]:
            out.add(k)
        elif ends[k] >= AMBIGUOUS_NAMES and ends[k] >= NAME_MARGIN * starts[k] and k not in joined:
            out.add(k)  # "Brown": Gordon, James, Ron and others, none of them most
    return out


def _kind_majority(docs: Counter) -> dict[tuple[str, str], str]:
    """(kind, key) -> the kind that clearly dominates for that key, where another one does."""
    by_key: dict[str, Counter] = {}
    for (kind, k), n in docs.items():
        by_key.setdefault(k, Counter())[kind] = n
    out = {}
    for k, votes in by_key.items():
        if len(votes) < 2:
            continue
        (top, n), *rest = votes.most_common()
        others = sum(m for _, m in rest)
        if n >= MIN_KIND_ARTICLES and n >= KIND_MARGIN * others:
            for kind, _ in rest:
                out[(kind, k)] = top
    return out


def _unique_people(people: Counter) -> dict[str, str]:
    """One-word person key -> the full name it stands for across the archive."""
    by_word: dict[str, Counter] = {}
    for k, n in people.items():
        words = k.split()
        if len(words) > 1:
            for word in {words[0], words[-1]}:
                by_word.setdefault(word, Counter())[k] = n
    out = {}
    for k in people:
        if " " in k or k not in by_word:
            continue
        candidates = by_word[k]
        (full, n), *rest = candidates.most_common()
        total = sum(candidates.values())
        if not rest or (n >= MIN_DOMINANT_ARTICLES and n >= DOMINANT_SHARE * total):
            out[k] = full
    return out
