"""Named entities at ingest: people, organisations and places from title and body.

A CRF tagger (python-crfsuite, trained on CoNLL-2003 eng.train, shipped as
model.crfsuite) finds the mentions; `folding` makes one value per entity within
an article; the alias file (search.aliases, which searching uses too) maps
spellings to one canonical value across the archive. Everything loads lazily,
once per process, so `enrich` can run in a multiprocessing pool.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Sequence
from itertools import chain
from typing import TYPE_CHECKING

from index.entities.folding import KINDS, best_spelling, fold_mentions, key
from search.aliases import AliasError, Aliases, alias_key, load_aliases
from search.scripts import script

if TYPE_CHECKING:
    from index.entities.value_kinds import FirstValues
    from index.records import Article

__all__ = [
    "AliasError",
    "Aliases",
    "apply_aliases",
    "enrich",
    "enrich_many",
    "extract_entities",
    "extract_entities_many",
    "first_values",
    "load_aliases",
    "merge_entities",
]


def apply_aliases(
    entities: dict[str, list[str]], aliases: Aliases | None = None
) -> dict[str, list[str]]:
    """Canonical values, deduplicated case-insensitively; for re-applying a changed alias file."""
    aliases = aliases if aliases is not None else load_aliases()
    out: dict[str, list[str]] = {}
    for kind in KINDS:
        groups: dict[str, dict[str, int]] = {}
        for value in entities.get(kind) or []:
            value = " ".join(value.split())
            if value:
                canon = aliases.canonical(kind, value)
                # a canonical value in another script: kept as written (index.entities.scripts
                # makes it one value with the other script's spelling)
                if canon != value and script(canon) != script(value):
                    canon = value
                spellings = groups.setdefault(alias_key(canon), {})
                spellings[canon] = spellings.get(canon, 0) + 1
        out[kind] = [best_spelling(spellings) for spellings in groups.values()]
    return out


def extract_entities(title: str, body: str, language: str | None = None) -> dict[str, list[str]]:
    """Entities found in title and body: one value per name and article, as written.

    Markup is stripped first and web-page furniture dropped (`furniture`); the
    alias file only corrects kinds here. Short forms ("Trump") stay beside full
    names: `enrich` applies the aliases and `consolidate` joins values from the
    stored ones, with the whole archive in view. Russian text (`language` "ru")
    goes to the Russian model (`index.entities.russian`), its values in the
    nominative.
    """
    return extract_entities_many([(title, body, language)])[0]


def extract_entities_many(
    articles: Sequence[tuple[str, str, str | None]],
) -> list[dict[str, list[str]]]:
    """`extract_entities` of each (title, body, language), the same values: the English
    texts' sentences are tagged together, which costs far less per article.

    The cycle collector is paused meanwhile: a chunk's token lists outlive many young
    collections and were re-scanned by each (a fifth of the time); reference counting
    frees them all the same, and the collector resumes after."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _extract_many(articles)
    finally:
        if paused:
            gc.enable()


def _extract_many(articles: Sequence[tuple[str, str, str | None]]) -> list[dict[str, list[str]]]:
    """Russian texts one by one through their own model, English ones tagged together."""
    from index.entities.furniture import clean_text
    from index.entities.value_kinds import revise

    texts = [clean_text(f"{title or ''}\n\n{body or ''}") for title, body, _ in articles]
    out: list[dict[str, list[str]]] = [{kind: [] for kind in KINDS} for _ in texts]
    todo = [i for i, text in enumerate(texts) if text.strip()]
    if not todo:
        return out
    aliases = load_aliases()
    russian = [i for i in todo if articles[i][2] == "ru"]
    if russian:
        from index.entities.russian import russian_entities

        for i in russian:
            out[i] = _correct_kinds(russian_entities(texts[i]), aliases)
    english = [i for i in todo if articles[i][2] != "ru"]
    firsts = first_values([texts[i] for i in english], aliases)
    for i, first in zip(english, firsts, strict=True):
        out[i] = _correct_kinds(revise(first, texts[i]), aliases)
    return out


def first_values(texts: list[str], aliases: Aliases | None = None) -> list[FirstValues]:
    """Each (cleaned, English) text's values as the tagger and the rules make them, with the
    mentions and certainty they came from: what `value_kinds` revises and learns from.
    `aliases`: the caller's, loaded already (each load looks at the files on disk)."""
    from index.entities.companies import companies
    from index.entities.definitions import with_definitions
    from index.entities.furniture import clean_mentions
    from index.entities.long_names import join_long_names
    from index.entities.sites import with_sites
    from index.entities.tagger import get_tagger
    from index.entities.value_kinds import FirstValues

    aliases = aliases if aliases is not None else load_aliases()
    out = []
    for text, (tagged, certainty) in zip(texts, get_tagger().readings(texts), strict=True):
        mentions = join_long_names(tagged, text)
        mentions = companies(clean_mentions(mentions, text), text)
        mentions, addresses = with_sites(with_definitions(mentions, text), text)
        values = _correct_kinds(fold_mentions(mentions), aliases)
        as_tagged = set(tagged)
        made = (m.text for m in mentions if m not in as_tagged)
        ruled = frozenset(map(key, chain(made, addresses)))
        out.append(FirstValues(values, mentions, certainty, ruled))
    return out


def _correct_kinds(entities: dict[str, list[str]], aliases: Aliases) -> dict[str, list[str]]:
    """Move a value the alias file lists under exactly one other kind ("Minsk" tagged person)."""
    out: dict[str, list[str]] = {kind: [] for kind in KINDS}
    seen: set[tuple[str, str]] = set()
    for kind in KINDS:
        for value in entities.get(kind, []):
            listed = aliases.kinds(value)
            to = listed[0] if len(listed) == 1 else kind
            if (to, alias_key(value)) not in seen:
                seen.add((to, alias_key(value)))
                out[to].append(value)
    return out


def merge_entities(
    given: dict[str, list[str]], extracted: dict[str, list[str]], aliases: Aliases | None = None
) -> dict[str, list[str]]:
    """Given values first, extracted ones added; aliases applied; one value per entity.

    A given value keeps its place, but a proper-cased spelling of it wins over an
    all-lowercase one ("japan" given + "Japan" extracted -> "Japan").
    """
    combined = {
        kind: list((given or {}).get(kind) or []) + list((extracted or {}).get(kind) or [])
        for kind in KINDS
    }
    return apply_aliases(combined, aliases)


def enrich(article: Article) -> Article:
    """The article with its given entities merged with the extracted ones (pool-friendly).

    Its short forms are joined already ("Sanders" into "Bernie Sanders" there), as the
    archive-level consolidation after the ingest would: half of Reuters' articles would
    otherwise be written twice, once here and once rewritten by it."""
    return enrich_many([article])[0]


def enrich_many(articles: Sequence[Article]) -> list[Article]:
    """`enrich` of each article, their entities extracted together (`extract_entities_many`)."""
    from index.entities.consolidate import join_article
    from index.entities.furniture import publisher_names, without_publisher

    extracted = extract_entities_many([(a.title, a.body, a.language) for a in articles])
    aliases = load_aliases()  # once a chunk: each load looks at the files on disk
    out = []
    for article, found in zip(articles, extracted, strict=True):
        found = without_publisher(found, publisher_names(article.source, article.url))
        merged = merge_entities(article.entities, found, aliases)
        joined, _ = join_article(merged, join_acronyms=False)
        out.append(dataclasses.replace(article, entities=joined))
    return out
