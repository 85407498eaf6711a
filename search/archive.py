"""The read side end to end: one open index, one reused searcher, the /api/search shape.

`Archive` keeps the newest generation's searcher and arrays open and opens the
next one when a newer generation is committed (or published), plus a few older
ones that pinned pages ask for (search.pinned). It opens a fresh searcher
rather than calling `refresh()`, which keeps stale deletions in reused readers.
Whoosh's file readers are not safe to share across threads mid-read, so
searches on one Archive take turns (a lock); each is a few milliseconds.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from os import PathLike
from typing import Any

import numpy as np
from whoosh.util.times import long_to_datetime

from search import engine, entities, limits, snippets, spelling, trends
from search.aliases import Aliases, AliasWatch
from search.analysis import Tokens
from search.dates import parse_bound
from search.errors import SearchError
from search.facets import Facet, apply_facets, filter_docs
from search.generation import Generation
from search.languages import ANALYSED
from search.pinned import OpenGenerations
from search.query import Query, complete_last_word, parse
from search.ranking import SETTINGS, Settings
from search.schema import ENTITY_FIELDS, FACET_FIELDS, unpack_record
from search.similar import similar_docnums
from search.storage import open_index, resolve_index_dir
from search.suggest import Suggester

_PLAIN_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?(?:\s+[^\W_]+(?:['’][^\W_]+)?)*")
DEFAULT_TIME_LIMIT = 2.0


class Archive:
    """An index opened for searching. Safe to share between threads."""

    def __init__(
        self,
        index_dir: str | PathLike | None = None,
        *,
        time_limit: float = DEFAULT_TIME_LIMIT,
        posting_cache_mb: int = 64,
        ranking: Settings = SETTINGS,
    ):
        self.path = resolve_index_dir(index_dir)
        self.ranking = ranking
        self.time_limit = time_limit
        self._ix = open_index(self.path)
        self._lock = threading.RLock()
        self._open = OpenGenerations(self._ix, self.path, posting_cache_mb << 20, ranking)
        self._aliases = AliasWatch()

    # ---- the current generation ----

    def _current(self, generation: int | None = None) -> Generation:
        """The newest generation's arrays, or those of `generation` (a pinned page)."""
        return self._open.get(generation)

    def warm(self) -> None:
        """Build the current generation's arrays, spelling lexicon and suggester now (seconds
        on a large index), so no request pays for them: `serve` calls it before forking."""
        with self._lock:
            gen = self._current()
            spelling.warm(gen.searcher.reader())
            _suggester(gen)

    @contextmanager
    def reading(self) -> Iterator[Generation]:
        """The current generation (its searcher and arrays), held for the block: for tools
        that read the index next to `search`, e.g. to compare it with stock Whoosh."""
        with self._lock:
            yield self._current()

    def aliases(self, gen: Generation | None = None) -> Aliases | None:
        """The alias table queries on `gen` (default: the newest) expand with: the file
        published with that generation (a replica), else the configured one
        (search.aliases.AliasWatch); None if broken."""
        with self._lock:
            gen = gen or self._current()
            return self._aliases.table(gen.generation, self._open.alias_file(gen))

    def close(self) -> None:
        with self._lock:
            self._open.close()

    # ---- search ----

    def search(
        self,
        q: str | None = "",
        *,
        page: int = 1,
        per_page: int = limits.DEFAULT_PER_PAGE,
        sort: str = "relevance",
        date_from: str | None = None,
        date_to: str | None = None,
        filters: dict[str, list[str]] | None = None,
        facet_size: int = limits.DEFAULT_FACET_SIZE,
        time_limit: float | None = None,
        generation: int | None = None,
        partial: bool = False,
        language: str | None = None,
    ) -> dict[str, Any]:
        """Run one search; returns the /api/search dict. Raises SearchError for bad parameters.

        `language`: the page's ("en", "ru"); facet values named in two scripts are shown in
        its script ("Владимир Путин" for "ru", "Vladimir Putin" for "en"; None: the most
        used spelling). `trends`, `suggest`, `entity` and `stats` take it too.

        `generation` pins the search to the generation an earlier page reported
        (search.pinned), so pages of one result list never repeat or skip.
        `partial`: the last word is still being typed (the widget), so it also matches as a
        prefix (query.complete_last_word); no did-you-mean then, the word is unfinished.
        """
        started = time.perf_counter()
        page = _int("page", page, 1, None)
        per_page = _int("per_page", per_page, 1, limits.MAX_PER_PAGE)
        if page * per_page > limits.MAX_WINDOW:
            raise SearchError(
                f"page × per_page must be at most {limits.MAX_WINDOW:,}: refine the query instead",
                parameter="page",
            )
        if sort not in limits.SORTS:
            raise SearchError(f"sort must be one of {', '.join(limits.SORTS)}", parameter="sort")
        facet_size = _int("facet_size", facet_size, limits.MIN_FACET_SIZE, limits.MAX_FACET_SIZE)
        filters = _filters(filters)
        bounds = (_bound("from", date_from, end=False), _bound("to", date_to, end=True))
        parsed = complete_last_word(parse(q)) if partial else parse(q)
        if generation is not None:
            generation = _int("generation", generation, 0, None)
        with self._lock:
            gen = self._current(generation)
            deadline = engine.Deadline(self.time_limit if time_limit is None else time_limit)
            date_mask = _date_mask(gen, parsed, bounds)
            aliases = self.aliases(gen)
            ev = engine.evaluate(gen, parsed, date_mask, deadline, aliases)
            total_mask, facets = apply_facets(gen, ev.mask, filters, facet_size, language)
            total = int(np.count_nonzero(total_mask))
            start = (page - 1) * per_page
            docs = engine.top_docs(gen, ev, total_mask, sort, start, start + per_page)
            results = [self._result(gen, doc, ev, deadline) for doc in docs]

            def hits(text: str) -> int:
                other = engine.evaluate(gen, parse(text), date_mask, deadline, aliases, False)
                return int(np.count_nonzero(filter_docs(gen, other.mask, filters)))

            corrected = None
            if not partial and not deadline.expired():
                corrected = _correction(gen, q or "", parsed, total, hits, date_mask)
        return {
            "query": q or "",
            "total": total,
            "page": page,
            "per_page": per_page,
            "took_ms": round((time.perf_counter() - started) * 1000, 1),
            "corrected": corrected,
            "results": results,
            "facets": facets,
            "timed_out": deadline.hit,
            "relaxed": ev.relaxed,
            "generation": gen.generation,
        }

    def _result(
        self, gen: Generation, doc: int, ev: engine.Evaluation, deadline: engine.Deadline
    ) -> dict[str, Any]:
        """One result; past the deadline without highlighting (its title and lead, cheap)."""
        if not ev.scored or deadline.expired():
            return _entry(gen, doc, float(ev.scores[doc]), set(), [])
        return _entry(gen, doc, float(ev.scores[doc]), ev.terms, ev.phrases, ev.tokens)

    def similar(
        self, article_id: str, limit: int = limits.DEFAULT_SIMILAR
    ) -> dict[str, Any] | None:
        """Articles sharing distinctive terms and entities; None for an unknown id."""
        limit = _int("limit", limit, 1, limits.MAX_SIMILAR)
        with self._lock:
            gen = self._current()
            doc = gen.searcher.document_number(id=article_id)
            if doc is None:
                return None
            found = similar_docnums(gen, doc, limit)
            results = [_entry(gen, other, score, set(), []) for other, score in found]
        return {"results": results}

    def suggest(
        self, prefix: str | None, limit: int = limits.DEFAULT_SUGGEST, language: str | None = None
    ) -> dict[str, Any]:
        """Completions for search-as-you-type, from entity names and title words."""
        limit = _int("limit", limit, 1, limits.MAX_SUGGEST)
        prefix = prefix or ""
        with self._lock:
            gen = self._current()
            found = _suggester(gen).suggest(prefix, limit, language) if prefix.strip() else []
        return {"query": prefix, "suggestions": found}

    # ---- entity pages (search.entities) ----

    def entity_value(self, kind: str, value: str) -> str | None:
        """The canonical value (the URL's) of the entity any spelling or alias names, or None."""
        with self._lock:
            gen = self._current()
            ordinal = entities.resolve(gen, kind, value, self.aliases(gen))
            return None if ordinal is None else entities.canonical_value(gen, kind, ordinal)

    def entity(
        self, kind: str, value: str, interval: str | None = None, language: str | None = None
    ) -> dict[str, Any] | None:
        """An entity page's data (see search.entities): None for an unknown kind or value."""
        if interval is not None and interval not in trends.INTERVALS:
            raise SearchError(f"interval must be one of {', '.join(trends.INTERVALS)}", "interval")
        with self._lock:
            gen = self._current()
            aliases = self.aliases(gen)
            ordinal = entities.resolve(gen, kind, value, aliases)
            if ordinal is None:
                return None

            def entry(doc: int) -> dict[str, Any]:
                return _entry(gen, doc, 0.0, set(), [])

            return entities.entity_answer(
                gen, kind, ordinal, aliases, entry, interval, language=language
            )

    # ---- other read endpoints ----

    def article(self, article_id: str) -> dict[str, Any] | None:
        """The stored record of one article, or None."""
        with self._lock:
            gen = self._current()
            doc = gen.searcher.document_number(id=article_id)
            if doc is None:
                return None
            return unpack_record(gen.searcher.stored_fields(doc)["record"])

    def health(self) -> dict[str, Any]:
        with self._lock:
            gen = self._current()
            return {"status": "ok", "documents": gen.doc_count, "generation": gen.generation}

    def stats(self, top: int = 10, language: str | None = None) -> dict[str, Any]:
        """Documents, date range, articles per language (and which languages get the
        language-neutral analysis) and the most frequent values of each facet."""
        with self._lock:
            gen = self._current()
            dated = gen.live & gen.dated
            first = last = None
            if dated.any():
                first = _iso(int(gen.dates[dated].min()))
                last = _iso(int(gen.dates[dated].max()))
            top_values = {}
            for name in FACET_FIELDS:
                facet = Facet(gen.facets[name], [], language)
                top_values[name] = [
                    {"value": v["value"], "count": v["count"]}
                    for v in facet.render(facet.table.counts(gen.live), top)
                ]
            languages = {
                code: int(np.count_nonzero(gen.live[docs])) for code, docs in gen.languages.items()
            }
            languages = {code: count for code, count in sorted(languages.items()) if count}
            return {
                "documents": gen.doc_count,
                "generation": gen.generation,
                "dated": int(np.count_nonzero(dated)),
                "date_range": {"from": first, "to": last},
                "languages": languages,
                "language_neutral": [code for code in languages if code not in ANALYSED],
                "top": top_values,
            }

    # ---- trends and timelines (search.trends) ----

    def _matching(
        self,
        gen: Generation,
        q: str | None,
        bounds: tuple[int | None, int | None],
        filters: dict[str, list[str]],
        time_limit: float | None,
    ) -> tuple[np.ndarray, bool]:
        """Live docs matching q, the date bounds and every facet filter (search()'s total),
        and whether the query ran out of time."""
        parsed = parse(q)
        deadline = engine.Deadline(self.time_limit if time_limit is None else time_limit)
        date_mask = _date_mask(gen, parsed, bounds)
        ev = engine.evaluate(gen, parsed, date_mask, deadline, self.aliases(gen))
        return filter_docs(gen, ev.mask, filters), ev.timed_out

    def trends(
        self,
        facet: str,
        *,
        days: int = 90,
        limit: int = 10,
        q: str | None = "",
        date_from: str | None = None,
        date_to: str | None = None,
        filters: dict[str, list[str]] | None = None,
        series: bool = False,
        time_limit: float | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        """Values of `facet` rising in the last `days` (to the newest article) vs. all before.

        `series` adds each value's monthly counts (for sparklines). See search.trends.
        """
        if facet not in trends.FACETS:
            raise SearchError(f"facet must be one of {', '.join(trends.FACETS)}", "facet")
        days = _int("days", days, 1, trends.MAX_DAYS)
        limit = _int("limit", limit, 1, trends.MAX_LIMIT)
        filters = _filters(filters)
        bounds = (_bound("from", date_from, end=False), _bound("to", date_to, end=True))
        with self._lock:
            gen = self._current()
            matching, timed_out = self._matching(gen, q, bounds, filters, time_limit)
            answer = trends.trends_answer(
                gen, facet, matching & gen.dated, days, limit, bounds[1], series, language
            )
        return {**answer, "timed_out": timed_out}

    def timeline(
        self,
        interval: str = "month",
        *,
        q: str | None = "",
        date_from: str | None = None,
        date_to: str | None = None,
        filters: dict[str, list[str]] | None = None,
        time_limit: float | None = None,
    ) -> dict[str, Any]:
        """Matching dated articles per month or year, every period first to last (zeros too)."""
        if interval not in trends.INTERVALS:
            raise SearchError(f"interval must be one of {', '.join(trends.INTERVALS)}", "interval")
        filters = _filters(filters)
        bounds = (_bound("from", date_from, end=False), _bound("to", date_to, end=True))
        with self._lock:
            gen = self._current()
            mask, timed_out = self._matching(gen, q, bounds, filters, time_limit)
            answer = trends.timeline_answer(gen, mask, interval)
        return {**answer, "timed_out": timed_out}


def _suggester(gen: Generation) -> Suggester:
    """The generation's suggester, built once; entity values counted by their live articles
    (the facets' counts), so a value only deleted articles named is never suggested."""
    if gen.suggester is None:
        gen.suggester = Suggester(gen.searcher.reader(), partial(entities.live_articles, gen))
    return gen.suggester


def _entry(
    gen: Generation,
    doc: int,
    score: float,
    terms: set[str],
    phrases: list[list[str]],
    known: dict[str, Tokens] | None = None,
) -> dict[str, Any]:
    """One result as /api/search shows it; without query terms the snippet is the lead.
    `known`: texts the query's feedback split already (snippets.find_matches)."""
    record = gen.record(doc)
    entities = record.get("entities") or {}
    return {
        "id": record["id"],
        "url": record.get("url"),
        "title": snippets.highlight_title(record.get("title") or "", terms, phrases, known),
        "date": record.get("date"),
        "category": record.get("category"),
        "entities": {kind: list(entities.get(kind) or []) for kind in ENTITY_FIELDS},
        "snippet": snippets.make_snippet(
            record.get("body") or record.get("title") or "", terms, phrases, known=known
        ),
        "score": round(score, 4),
    }


def _iso(value: int) -> str:
    return long_to_datetime(value).isoformat(timespec="seconds")


def _int(name: str, value: Any, low: int, high: int | None) -> int:
    try:
        number = int(value)
        if isinstance(value, float) and number != value:
            raise ValueError
    except (TypeError, ValueError):
        raise SearchError(f"{name} must be a whole number", parameter=name) from None
    if number < low or (high is not None and number > high):
        limit = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise SearchError(f"{name} must be {limit}", parameter=name)
    return number


def _filters(filters: dict[str, list[str]] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, values in (filters or {}).items():
        if name not in FACET_FIELDS:
            raise SearchError(f"unknown filter {name!r}", parameter=name)
        if isinstance(values, str):
            values = [values]
        if not all(isinstance(v, str) for v in values or ()):
            raise SearchError(f"{name} values must be strings", parameter=name)
        out[name] = [v for v in values or () if v.strip()]
    return out


def _bound(name: str, value: str | None, *, end: bool) -> int | None:
    if value is None or not str(value).strip():
        return None
    try:
        return parse_bound(str(value), end=end)
    except ValueError as exc:
        raise SearchError(f"{name}: {exc}", parameter=name) from None


def _date_mask(gen: Generation, parsed, bounds: tuple[int | None, int | None]):
    """Dated docs inside the from/to parameters and every date range in the query."""
    ranges = [bounds] if bounds != (None, None) else []
    for item in parsed.ranges:
        try:
            low = parse_bound(item.start, end=False) if item.start else None
            high = parse_bound(item.end, end=True) if item.end else None
        except ValueError:
            continue  # a reader's malformed range is ignored, never an error
        ranges.append((low, high))
    if not ranges:
        return None
    mask = gen.dated.copy()
    for low, high in ranges:
        if low is not None:
            mask &= gen.dates >= low
        if high is not None:
            mask &= gen.dates <= high
    return mask


def _correction(
    gen: Generation,
    q: str,
    parsed: Query,
    total: int,
    hits,
    date_mask: np.ndarray | None,
) -> str | None:
    """Did-you-mean, for queries of plain words only (syntax is taken as meant); each word's
    term comes from the parsed query (a plain word is one token, a stop word none). No
    respelled query can find more than the live articles within the query's dates."""
    text = q.strip()
    if not text or len(text) > 200 or not _PLAIN_WORDS.fullmatch(text):
        return None
    words = text.split()
    by_start = {start: term for term, start, _ in parsed.tokens}
    typed = list(re.finditer(r"\S+", parsed.text))
    if [m.group() for m in typed] != words:  # only if the parser cut the text
        return spelling.correct(gen.searcher.reader(), words, hits)
    terms = [by_start.get(m.start()) for m in typed]

    def frequency(term: str) -> int:  # the query has just read these terms' postings
        return max(gen.doc_frequency(name, term) for name in spelling.FIELDS)

    most = int(np.count_nonzero(gen.live if date_mask is None else gen.live & date_mask))
    return spelling.correct(gen.searcher.reader(), words, hits, terms, total, frequency, most)
