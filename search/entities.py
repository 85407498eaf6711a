"""One person, organization or place across the archive: what its entity page shows.

Everything comes from the generation's facet tables (search.generation), the
arrays the facets already count with, so a page is a few `np.bincount` calls
over (doc, value) pairs, whatever the archive's size:

- **resolve**: any spelling or alias → the value's ordinal; its canonical value
  is the facet's display spelling (the most frequent one), which the URL uses.
  The name shown, and the related values, are in the spelling of the page's
  language where articles use two scripts (`FacetTable.shown`), the URL never.
- **related**: the people, organizations and places named with it, ranked by
  Dunning's G² on the 2×2 table (articles with the entity / without) × (naming
  the other value / not), positive association only, at least `MIN_TOGETHER`
  articles together. G² rather than raw counts, so a value named everywhere
  ("United States") does not top every list; G² rather than PMI, so a value
  seen once or twice does not either.
- **central**: articles naming it most often: the title and body frequency of
  the rarest word of each of its spellings (surname-alone mentions count for
  the full name), read from the postings the search engine already decodes.

Nothing here builds HTML or URLs; `Archive.entity` wraps it in the lock.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from search import codec, trends
from search.analysis import analyze, fold_value
from search.generation import Generation
from search.schema import ENTITY_FIELDS, TITLE_BOOST
from search.scripts import display_spelling, script

KINDS = ENTITY_FIELDS
MIN_TOGETHER = 2  # articles naming both before a value counts as related
MIN_SCORE = 3.84  # G² critical value for p < 0.05 with one degree of freedom
RELATED_LIMIT = 10  # related values per kind
ARTICLE_LIMIT = 10  # latest and most central articles each
MAX_VALUE_LENGTH = 200  # longer is no entity (limits.MAX_FILTER_LENGTH for filters)
MAX_SPELLINGS = 50  # other spellings listed
MONTHS_SHOWN = 120  # a longer span of mentions is shown by year unless months are asked for

# Articles per value over live docs, per generation and kind (a bincount each, kept).
_document_counts: weakref.WeakKeyDictionary[Generation, dict[str, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)


def document_counts(gen: Generation, kind: str) -> np.ndarray:
    """Live articles holding each value of `kind`, computed once per generation."""
    per_kind = _document_counts.setdefault(gen, {})
    if kind not in per_kind:
        per_kind[kind] = gen.facets[kind].counts(gen.live)
    return per_kind[kind]


def live_articles(gen: Generation, kind: str, term: str) -> int:
    """Live articles holding the facet term `term` as a value of its own: 0 for a term only
    deleted articles hold (an article rewritten by consolidation leaves its old spelling's
    term in the lexicon until its segment is merged), and for another value's spelling."""
    table = gen.facets[kind]
    ordinal = table.index.get(term)
    if ordinal is None or table.values[ordinal] != term:
        return 0
    return int(document_counts(gen, kind)[ordinal])


def resolve(gen: Generation, kind: str, value: str, aliases: Any | None) -> int | None:
    """The ordinal of the entity `value` names (any spelling or alias), or None."""
    if kind not in KINDS or not isinstance(value, str):
        return None
    value = " ".join(value.split())
    if not value or len(value) > MAX_VALUE_LENGTH or "\x00" in value:
        return None
    table = gen.facets[kind]
    counts = document_counts(gen, kind)
    candidates = [aliases.canonical(kind, value)] if aliases is not None else []
    for candidate in [*candidates, value]:
        ordinal = table.index.get(fold_value(candidate))
        if ordinal is not None and counts[ordinal] > 0:
            return ordinal
    return None


def canonical_value(gen: Generation, kind: str, ordinal: int) -> str:
    """The value's display spelling: its page's URL and heading."""
    return gen.facets[kind].display[ordinal]


def entity_mask(gen: Generation, kind: str, ordinal: int) -> np.ndarray:
    """Live articles naming the entity."""
    return gen.facets[kind].doc_mask([ordinal], gen.n) & gen.live


def spellings(
    gen: Generation, kind: str, ordinal: int, aliases: Any | None, shown: str | None = None
) -> list[dict]:
    """Spellings other than `shown` (the name the page shows; default the canonical one):
    those seen in the index (most articles first), then the alias file's.

    Each is {"text", "articles" (articles spelling it so, from the lexicon: an updated or
    deleted article counts until its segment is merged), "alias" (in the alias file)}.
    """
    table = gen.facets[kind]
    key, name = table.values[ordinal], table.display[ordinal]
    seen: dict[str, int] = {}
    prefix = f"{kind}\t{key}\t"
    for leaf, _ in gen.leaves:  # per segment, as search.generation reads the lexicon
        for text, info in codec.prefix_terms(leaf, "spelling", prefix):
            display = text[len(prefix) :]
            seen[display] = seen.get(display, 0) + info.doc_frequency()
    listed: set[str] = set()
    if aliases is not None:
        for variant in aliases.variants(name):
            if kind in aliases.kinds(variant) and _same(aliases, kind, variant, name):
                listed.add(variant)
    ordered = sorted(seen, key=lambda s: (-seen[s], s)) + sorted(listed - set(seen))
    shown = shown or name
    out = [
        {"text": s, "articles": seen.get(s, 0), "alias": s in listed} for s in ordered if s != shown
    ]
    return out[:MAX_SPELLINGS]


def other_script(
    gen: Generation, kind: str, ordinal: int, language: str | None = None
) -> str | None:
    """The entity's most used spelling in the script the name a page in `language` shows is
    not in ("Владимир Путин" under Vladimir Putin, "Vladimir Putin" under Владимир Путин)."""
    table = gen.facets[kind]
    shown = script(table.shown(ordinal, language))
    others = {s: n for s, n in table.scripts.get(ordinal, {}).items() if script(s) != shown}
    return display_spelling(others) if others else None


def _same(aliases: Any, kind: str, variant: str, name: str) -> bool:
    """Whether the alias file maps `variant` to the entity shown as `name`."""
    return fold_value(aliases.canonical(kind, variant)) in (
        fold_value(aliases.canonical(kind, name)),
        fold_value(name),
    )


def related(
    gen: Generation,
    mask: np.ndarray,
    kind: str,
    exclude: int | None,
    limit: int = RELATED_LIMIT,
    language: str | None = None,
) -> list[dict]:
    """Values of `kind` most associated with the articles in `mask` (G², see module doc),
    each shown as a page in `language` shows it."""
    table = gen.facets[kind]
    if not len(table.values):
        return []
    together = table.counts(mask)
    totals = document_counts(gen, kind)
    inside = int(np.count_nonzero(mask))
    outside = int(np.count_nonzero(gen.live)) - inside
    if not inside or outside <= 0:
        return []
    candidates = together >= MIN_TOGETHER
    if exclude is not None:
        candidates[exclude] = False
    ordinals = np.flatnonzero(candidates)
    with_it = together[ordinals]
    scores = trends.g2_rising(with_it, totals[ordinals] - with_it, inside, outside)
    keep = scores >= MIN_SCORE
    ordinals, scores = ordinals[keep], scores[keep]
    # Strongest first, then most articles together, then the value (ordinals are sorted).
    order = np.lexsort((ordinals, -together[ordinals], -scores))[:limit]
    return [
        {
            "value": table.shown(int(ordinals[i]), language),
            "count": int(together[ordinals[i]]),
            "articles": int(totals[ordinals[i]]),
            "score": round(float(scores[i]), 1),
        }
        for i in order
    ]


def _head_terms(gen: Generation, names: list[str]) -> set[str]:
    """The rarest body word of each spelling: what a mention of the entity always contains."""
    heads: set[str] = set()
    for name in names:
        terms = analyze(name)
        if terms:
            heads.add(min(terms, key=lambda t: (gen.doc_frequency("body", t), t)))
    return heads


def mentions(gen: Generation, docs: np.ndarray, names: list[str]) -> np.ndarray:
    """Mentions per doc in `docs`: title and body frequency of each spelling's rarest word."""
    counts = np.zeros(gen.n, dtype=np.float64)
    for term in _head_terms(gen, names):
        for fieldname, scale in (("body", 1.0), ("title", 1.0 / TITLE_BOOST)):
            ids, weights = gen.postings.get(fieldname, term)
            if len(ids):
                counts[ids] += weights * scale
    return np.maximum(np.rint(counts[docs]).astype(np.int64), 1)  # named at least once


def latest_docs(gen: Generation, docs: np.ndarray, limit: int) -> list[int]:
    """The newest `limit` of `docs` (undated last, ties by id: the search's newest order)."""
    keys = gen.order_newest[docs]
    picked = np.argsort(keys, kind="stable")[:limit]
    return [int(d) for d in docs[picked]]


def central_docs(gen: Generation, docs: np.ndarray, counts: np.ndarray, limit: int) -> list[int]:
    """The `limit` of `docs` with the most mentions, ties newest first."""
    order = np.lexsort((gen.order_newest[docs], -counts))[:limit]
    return [int(i) for i in order]


def entity_answer(
    gen: Generation,
    kind: str,
    ordinal: int,
    aliases: Any | None,
    entry: Callable[[int], dict[str, Any]],
    interval: str | None = None,
    limit: int = ARTICLE_LIMIT,
    language: str | None = None,
) -> dict[str, Any]:
    """The /api/entities answer for one resolved entity; `entry(doc)` builds a result.

    `interval` None: by month, or by year when the mentions span over `MONTHS_SHOWN` months.
    `language`: the page's; `name` and the related values are in its script where articles
    spell them so, `value` (the URL's) stays the canonical spelling.
    """
    built: dict[int, dict[str, Any]] = {}

    def result(doc: int) -> dict[str, Any]:  # latest and central often share articles
        if doc not in built:
            built[doc] = entry(doc)
        return dict(built[doc])

    value = canonical_value(gen, kind, ordinal)
    name = gen.facets[kind].shown(ordinal, language)
    mask = entity_mask(gen, kind, ordinal)
    docs = np.flatnonzero(mask)
    other = spellings(gen, kind, ordinal, aliases, name)
    counts = mentions(gen, docs, [name, *(s["text"] for s in other)])
    central = []
    for i in central_docs(gen, docs, counts, limit):
        item = result(int(docs[i]))
        item["mentions"] = int(counts[i])
        central.append(item)
    dated = mask & gen.dated
    if interval is None:
        long = trends.span(gen.dates[dated], "month") > MONTHS_SHOWN
        interval = "year" if long else "month"
    first = last = None
    if dated.any():
        first = trends.iso_day(int(gen.dates[dated].min()))
        last = trends.iso_day(int(gen.dates[dated].max()))
    return {
        "kind": kind,
        "value": value,
        "name": name,
        "spellings": other,
        "other_script": other_script(gen, kind, ordinal, language),
        "articles": len(docs),
        "first": first,
        "last": last,
        "timeline": trends.timeline_answer(gen, mask, interval),
        "related": {
            k: related(gen, mask, k, ordinal if k == kind else None, language=language)
            for k in KINDS
        },
        "latest": [result(d) for d in latest_docs(gen, docs, limit)],
        "central": central,
    }
