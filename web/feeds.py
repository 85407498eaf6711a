"""Follow a search: /feed.atom, an Atom feed of the newest articles matching a search.

It takes the search's own parameters (q, from/to, the facet filters), checked
exactly as /api/search checks them, so a mistake is the API's 400 JSON error
naming the parameter; paging, sort and the like are not part of a feed and
are ignored. Entries are the newest dated matches (an undated article has no
place in a feed of news), with the title and a plain-text summary (the
article's lead, never highlighted) and `updated` from the article's date (naive
dates are taken as UTC). Links are ARCHIVE_SEARCH_PUBLIC_URL + path (relative,
which Atom resolves against the feed's own URL, when that is not set): never
from the Host header, since the ETag, keyed on the index generation and the
path, does not vary with it. Ids are `urn:uuid:` names derived from the article
id (entries) or the feed's parameters (the feed), so they stay the same whatever
host or setting serves them. A 304 is answered before any search runs; a search
that ran out of time is served but never cached. XML is written by feedgen.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, current_app, request, url_for
from werkzeug.datastructures import MultiDict

from search import limits
from web import api, get_archive
from web.ratelimit import mark_timed_out
from web.security import etag_for

bp = Blueprint("feeds", __name__)

FEED_ENTRIES = 20
SUMMARY_CHARS = 400
FEED_KEYS = ("q", "from", "to", *limits.FACET_FIELDS)
ATOM = "application/atom+xml; charset=utf-8"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # `updated` of a feed of an empty archive
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "archive-search")
# Characters XML 1.0 cannot hold (C0 controls but tab/newline/return, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@bp.app_template_global("feed_url")
def feed_url(args: MultiDict | None = None, public: bool = False, **params: str) -> str:
    """The feed of a search: `args`' (default: this request's) q, from/to and filters,
    or the given `params` (an entity page's `person=…`); `public`: with PUBLIC_URL."""
    if params:
        pairs = [(k, v) for k, v in params.items() if k in FEED_KEYS and v]
    else:
        source = request.args if args is None else args
        pairs = [(k, v) for k, v in source.items(multi=True) if k in FEED_KEYS and v]
    query = urlencode(pairs)
    return _public(public) + url_for("feeds.feed") + (f"?{query}" if query else "")


def _public(public: bool = True) -> str:
    return current_app.config["PUBLIC_URL"] if public else ""


def stable_id(name: str) -> str:
    """An absolute IRI for an Atom id that no host, proxy or setting changes."""
    return uuid.uuid5(ID_NAMESPACE, name).urn


def feed_params(args: MultiDict) -> dict[str, Any]:
    """`Archive.search` arguments for the feed: the search's checks, the newest first."""
    kept = MultiDict((k, v) for k, v in args.items(multi=True) if k in FEED_KEYS)
    params = api.search_params(kept)
    params.update(page=1, per_page=FEED_ENTRIES, sort="newest", facet_size=limits.MIN_FACET_SIZE)
    return params


def xml_text(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def summary(body: str | None, limit: int = SUMMARY_CHARS) -> str:
    """The article's lead as plain text, cut at a word boundary."""
    text = " ".join(xml_text(body).split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def as_utc(value: str) -> datetime:
    """An article date (ISO 8601; naive ones are taken as UTC, like the archive's)."""
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def describe(params: dict[str, Any]) -> str:
    """The feed's title after the site name: the query, the filters and the dates."""
    parts = [f"“{params['q']}”"] if params.get("q") else []
    for name, values in (params.get("filters") or {}).items():
        parts.append(f"{name}: {' or '.join(values)}")
    if params.get("date_from"):
        parts.append(f"from {params['date_from']}")
    if params.get("date_to"):
        parts.append(f"to {params['date_to']}")
    return " · ".join(parts) or "newest articles"


def _cache(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    seconds = current_app.config["CACHE_SECONDS"]
    response.headers["Cache-Control"] = f"public, {f'max-age={seconds}' if seconds else 'no-cache'}"
    return response


def _entries(archive: Any, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The matching articles' stored records, dated ones only, newest first."""
    records = []
    for hit in results:
        record = archive.article(hit["id"]) if hit.get("date") else None
        if record is not None and record.get("date"):
            records.append(record)
    return records


def _newest_date(archive: Any) -> datetime:
    newest = archive.search(per_page=1, sort="newest", facet_size=limits.MIN_FACET_SIZE)["results"]
    return as_utc(newest[0]["date"]) if newest and newest[0].get("date") else EPOCH


def build_feed(params: dict[str, Any], records: list[dict[str, Any]], updated: datetime) -> bytes:
    site = current_app.config.get("SITE_NAME", "Archive Search")
    self_url = feed_url(public=True)
    fg = FeedGenerator()
    fg.id(stable_id("feed:" + feed_url()))
    fg.title(xml_text(f"{site}: {describe(params)}"))
    fg.author({"name": xml_text(site)})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    search_args = MultiDict((k, v) for k, v in request.args.items(multi=True) if k in FEED_KEYS)
    search_page = url_for("pages.search", **search_args.to_dict(flat=False))
    fg.link(href=_public() + search_page, rel="alternate", type="text/html")
    fg.updated(updated)
    for record in records:
        page = _public() + url_for("pages.article", article_id=record["id"])
        entry = fg.add_entry(order="append")
        entry.id(stable_id("article:" + record["id"]))
        entry.title(xml_text(record.get("title")) or "(untitled)")
        entry.link(href=page, rel="alternate", type="text/html")
        entry.updated(as_utc(record["date"]))
        entry.published(as_utc(record["date"]))
        entry.summary(summary(record.get("body")) or xml_text(record.get("title")) or "(empty)")
        if record.get("category"):
            entry.category(term=xml_text(record["category"]))
    return fg.atom_str(pretty=False)


@bp.get("/feed.atom")
def feed() -> Response:
    params = feed_params(request.args)
    archive = get_archive()
    etag = etag_for(archive.health()["generation"], request.full_path)
    if request.if_none_match.contains(etag):
        return _cache(Response(status=304), etag)
    answer = mark_timed_out(archive.search(**params))
    records = _entries(archive, answer["results"])
    updated = as_utc(records[0]["date"]) if records else _newest_date(archive)
    response = Response(build_feed(params, records, updated), content_type=ATOM)
    if answer["timed_out"]:  # incomplete: no cache may keep it as the feed
        response.headers["Cache-Control"] = "no-store"
        return response
    return _cache(response, etag)
