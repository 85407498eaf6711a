"""HTML article pages: title, date, URL and body from where publishers put them.

trafilatura finds the article text and drops navigation, sidebars and footers;
the explicit publisher metadata (og:title, article:published_time, og:url,
canonical link, <time datetime>) is read first with lxml because it is more
precise than trafilatura's guesses (htmldate keeps only the day, not the time).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import trafilatura
from dateutil.parser import ParserError
from dateutil.parser import parse as parse_datetime
from lxml import etree
from lxml import html as lxml_html

from index.readers._types import Parsed, Problem, make_article
from index.records import RecordError, normalize_title, parse_date

SOURCE = "html"
_TITLE = ("//meta[@property='og:title']/@content", "//meta[@name='twitter:title']/@content")
_DATE = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@name='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//article//time/@datetime",
    "//time/@datetime",
)
_URL = ("//meta[@property='og:url']/@content", "//link[@rel='canonical']/@href")
_SITE = ("//meta[@property='og:site_name']/@content",)
_SECTION = ("//meta[@property='article:section']/@content",)


def read_html(data: bytes, name: str) -> Iterator[Parsed | Problem]:
    """Yield the page's one article, or a Problem if it holds no article text."""
    try:
        tree = lxml_html.fromstring(data)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        yield Problem(name, f"not an HTML page: {exc or 'no elements'}")
        return
    document = trafilatura.bare_extraction(
        data, with_metadata=True, include_comments=False, include_tables=True
    )
    extracted: dict[str, Any] = document.as_dict() if document is not None else {}
    title = _first(tree, _TITLE) or extracted.get("title") or _first(tree, ("//title/text()",))
    body = _body(extracted.get("text") or "", title or "")
    if not body:
        yield Problem(name, "no article text found in the HTML page")
        return
    record = {
        "title": title,
        "body": body,
        "date": _date(_first(tree, _DATE) or extracted.get("date")),
        "url": _first(tree, _URL) or extracted.get("url"),
        "category": _first(tree, _SECTION),
        "tags": _tags(tree, extracted),
        "source": _first(tree, _SITE) or extracted.get("sitename") or SOURCE,
        "language": _language(tree),
    }
    yield make_article(record, name)


def _first(tree: Any, xpaths: tuple[str, ...]) -> str | None:
    for xpath in xpaths:
        for value in tree.xpath(xpath):
            text = " ".join(str(value).split())
            if text:
                return text
    return None


def _body(text: str, title: str) -> str:
    """trafilatura puts one paragraph per line and often repeats the <h1> title first."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and title and normalize_title(lines[0]) == normalize_title(title):
        lines = lines[1:]
    return "\n\n".join(lines)


def _date(value: str | None) -> str | None:
    """ISO 8601 as published; other spellings through dateutil; left as is (and so reported
    by the record check) when neither can read it."""
    if not value:
        return None
    try:
        parse_date(value)
        return value
    except RecordError:
        pass
    try:
        return parse_datetime(value).isoformat()
    except (ParserError, ValueError, OverflowError):
        return value


def _tags(tree: Any, extracted: dict[str, Any]) -> list[str]:
    tags = [str(t) for t in tree.xpath("//meta[@property='article:tag']/@content")]
    return tags + [t for t in extracted.get("tags") or [] if isinstance(t, str)]


def _language(tree: Any) -> str | None:
    """`<html lang>` as written: records.article_from_dict normalises it ("ru-RU" -> "ru")."""
    values = tree.xpath("/html/@lang") if tree.tag == "html" else []
    return str(values[0]) if values else None
