"""RSS and Atom feeds: each item one article.

feedparser copes with the many dialects (RSS 0.9x-2.0, RDF, Atom) and with
broken XML; its parsed dates are UTC already. The full content
(content:encoded, Atom <content>) is preferred to the summary, and HTML in it
becomes paragraphs of plain text.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import feedparser

from index.readers._types import Parsed, Problem, make_article
from index.readers.htmltext import html_to_text
from search.languages import normalize_language

SOURCE = "feed"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Text kept per item (title and body each): a feed item is an article, never a book.
MAX_ITEM_CHARS = 1_000_000
# An entity declaration in the DOCTYPE: feedparser's loose parser expands entities, so a
# small file could ask for gigabytes ("billion laughs"). No real feed declares entities.
_ENTITY_DECLARATION = re.compile(rb"<!entity", re.IGNORECASE)


def read_feed(data: bytes, name: str) -> Iterator[Parsed | Problem]:
    """Yield one Parsed or Problem per item, where = "path#itemN" (N from 1)."""
    if _ENTITY_DECLARATION.search(data):  # (UTF-16 and -32 never get here: NUL bytes)
        yield Problem(name, "feed declares entities in its DOCTYPE (refused: it could expand "
                      "to gigabytes); remove the <!ENTITY> declarations")  # fmt: skip
        return
    parsed = feedparser.parse(io.BytesIO(data))  # a stream: never a URL, never a network fetch
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            reason = f"not a valid feed: {parsed.get('bozo_exception')}"
        else:
            reason = "feed has no items"
        yield Problem(name, reason)
        return
    channel = parsed.get("feed") or {}
    source = " ".join(str(channel.get("title") or "").split()) or SOURCE
    language = normalize_language(channel.get("language"))
    for number, entry in enumerate(entries, start=1):
        yield _item(entry, f"{name}#item{number}", source, language)


def _item(entry: Any, where: str, source: str, language: str | None) -> Parsed | Problem:
    date, raw_date = _date(entry)
    if raw_date and date is None:
        return Problem(where, f"date: {raw_date[:80]!r} is not a date feedparser can read")
    title = _text(dict.get(entry, "title_detail"), dict.get(entry, "title"))
    body = _body(entry)
    cut = [name for name, text in (("title", title), ("body", body)) if len(text) > MAX_ITEM_CHARS]
    record = {
        "title": title[:MAX_ITEM_CHARS],
        "url": dict.get(entry, "link"),
        "date": date.isoformat() if date else None,
        "body": body[:MAX_ITEM_CHARS],
        "tags": [t for t in (_term(tag) for tag in dict.get(entry, "tags") or []) if t],
        "source": source,
        "language": normalize_language(_detail_language(entry)) or language,
    }
    item = make_article(record, where)
    if cut and isinstance(item, Parsed):
        notes = tuple(f"{name} cut to its first {MAX_ITEM_CHARS:,} characters" for name in cut)
        item = dataclasses.replace(item, notices=item.notices + notes)
    return item


def _date(entry: Any) -> tuple[datetime | None, str | None]:
    """The published date, else the updated one, as naive UTC; plus the raw text if any."""
    for key in ("published", "updated"):
        raw = dict.get(entry, key)
        parsed = dict.get(entry, f"{key}_parsed")
        if parsed:
            return datetime(*parsed[:6]), raw
        if raw:
            return None, str(raw)
    return None, None


def _body(entry: Any) -> str:
    for content in dict.get(entry, "content") or []:
        text = _text(content, content.get("value"))
        if text:
            return text
    return _text(dict.get(entry, "summary_detail"), dict.get(entry, "summary"))


def _text(detail: Any, value: Any) -> str:
    """Plain text of a feed text construct: HTML types are converted, plain text kept."""
    if not isinstance(value, str):
        return ""
    kind = (detail or {}).get("type") or "text/html"
    if kind in _HTML_TYPES:
        return html_to_text(value[: MAX_ITEM_CHARS * 4])  # markup included
    return value.strip()


def _term(tag: Any) -> str | None:
    value = tag.get("term") or tag.get("label") if isinstance(tag, dict) else None
    return value if isinstance(value, str) else None


def _detail_language(entry: Any) -> str | None:
    detail = dict.get(entry, "title_detail") or {}
    return detail.get("language")
