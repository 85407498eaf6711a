"""The two things a reader yields, and the one way every reader turns a dict into an Article.

Kept apart from ``__init__`` so the format modules can import them without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from index.records import Article, RecordError, article_from_dict

_STRING_FIELDS = ("id", "title", "body", "url", "category", "credit", "source", "language")


@dataclass(frozen=True)
class Parsed:
    """One article read from a source, and where it came from ("path:line", "path#item3")."""

    where: str
    article: Article
    notices: tuple[str, ...] = ()  # what was dropped from it (ingest prints them as warnings)


@dataclass(frozen=True)
class Problem:
    """Something that could not be read; ``reason`` is a sentence for the person running ingest."""

    where: str
    reason: str


@dataclass(frozen=True)
class Notice:
    """Something skipped on purpose (a symbolic link, ...): a warning, not a failure."""

    where: str
    reason: str


URL_SCHEMES = ("http", "https")


def unsafe_url(url: Any) -> bool:
    """A URL that is not http(s) (`javascript:`, `data:`, `vbscript:`...): never stored,
    since the API and the widget hand it to readers as a link."""
    if not isinstance(url, str) or not url.strip():
        return False
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return True
    return scheme not in URL_SCHEMES


def make_article(data: dict[str, Any], where: str) -> Parsed | Problem:
    """Validate through records.article_from_dict so every format fails and derives ids alike.
    A URL other than http(s) is dropped with a notice; the article is kept."""
    notices: tuple[str, ...] = ()
    if isinstance(data, dict) and unsafe_url(data.get("url")):
        shown = data["url"].strip()[:60]
        notices = (f"url {shown!r} dropped: only http and https URLs are kept",)
        data = {**data, "url": None}
    try:
        article = article_from_dict(data)
    except (RecordError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        return Problem(where, str(exc) or type(exc).__name__)
    bad = _unencodable_field(article)
    if bad:
        return Problem(where, f"{bad}: contains a lone surrogate (not valid Unicode text)")
    return Parsed(where, article, notices)


def _unencodable_field(article: Article) -> str | None:
    """JSON escapes like "\\ud800" decode to text that cannot be written as UTF-8 later."""
    values: list[tuple[str, str | None]] = [(f, getattr(article, f)) for f in _STRING_FIELDS]
    values += [("tags", t) for t in article.tags]
    values += [(f"entities.{k}", v) for k, vs in article.entities.items() for v in vs]
    for name, value in values:
        if value is None:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return name
    return None
