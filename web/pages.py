"""The server-rendered site: search (facets, chips, timeline, trends, paging), article, about.

Everything works without JavaScript: every control is a link or a form, and
every link carries the whole search state in its query string, so a toggle
keeps the rest of the state. The API's highlighted HTML goes through nh3
again in the `marked` filter before it is trusted; all else is autoescaped.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import nh3
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from search import limits
from search.errors import SearchError
from search.pinned import GenerationGone
from web import api, get_archive, i18n
from web import trends as trends_view
from web.analytics import record_search
from web.ratelimit import mark_timed_out

bp = Blueprint("pages", __name__)

SIDEBAR_SIZE = 10  # facet values shown per facet (selected ones are always added)
STATE_KEYS = ("q", "sort", "from", "to", "per_page", "interval", *limits.FACET_FIELDS)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@bp.app_template_filter("marked")
def marked(html_text: str | None) -> Markup:
    """Highlighted HTML from the API: only <mark> survives (nh3 is the final gate)."""
    return Markup(nh3.clean(html_text or "", tags={"mark"}, attributes={}))


@bp.app_template_filter("safe_url")
def safe_url(url: str | None) -> str | None:
    """An article's original URL, only when it is http(s): never a javascript: link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


@bp.app_template_global("search_url")
def search_url(args: MultiDict | None = None, **changes: Any) -> str:
    """The search page URL for the current state with `changes` (None removes a key).

    Any change other than `page` resets paging, so a new filter starts at page 1.
    """
    args = MultiDict(request.args if args is None else args)
    state = MultiDict((k, v) for k, v in args.items(multi=True) if k in STATE_KEYS and v)
    for key, value in changes.items():
        state.poplist(key)
        if value is None:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            state.add(key, str(item))
    if state.get("page") == "1":
        state.poplist("page")
    query = urlencode([*state.items(multi=True), *i18n.pinned_args()])
    return url_for("pages.search", lang=None) + (f"?{query}" if query else "")


@bp.app_template_global("toggle_url")
def toggle_url(name: str, value: str) -> str:
    """Add the facet value to the filters, or remove it when it is already selected."""
    values = request.args.getlist(name)
    values = [v for v in values if v != value] if value in values else [*values, value]
    return search_url(**{name: values or None})


@bp.app_template_global("facet_url")
def facet_url(name: str, value: str) -> str:
    """A fresh search filtered on one facet value (entity links on the article page)."""
    return url_for("pages.search", **{name: value})


def _trim_facets(facets: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The sidebar shows the top values and every selected one."""
    trimmed = {}
    for name, values in facets.items():
        top = values[:SIDEBAR_SIZE]
        top += [v for v in values[SIDEBAR_SIZE:] if v.get("selected")]
        trimmed[name] = top
    return trimmed


def pagination(page: int, per_page: int, total: int) -> dict[str, Any]:
    """Page numbers around the current one, never past the deep-paging window."""
    last = max(1, min(math.ceil(total / per_page), limits.MAX_WINDOW // per_page))
    numbers = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    items: list[int | None] = []
    for n in numbers:
        if items and n - (items[-1] or 0) > 1:
            items.append(None)  # an ellipsis
        items.append(n)
    return {
        "page": page,
        "last": last,
        "items": items,
        "prev": page - 1 if page > 1 else None,
        "next": page + 1 if page < last else None,
    }


def chips(args: MultiDict) -> list[dict[str, str]]:
    """Selected filters and dates, each with the URL that removes it."""
    out = []
    for name in limits.FACET_FIELDS:
        values = args.getlist(name)
        for value in values:
            rest = [v for v in values if v != value]
            out.append({"label": name, "value": value, "url": search_url(**{name: rest or None})})
    for name, label in (("from", "from"), ("to", "to")):
        if args.get(name):
            out.append({"label": label, "value": args[name], "url": search_url(**{name: None})})
    return out


@bp.get("/")
def search() -> Any:
    args = MultiDict(request.args)
    args.poplist("facet_size")
    error = None
    answer = None
    try:
        params = api.search_params(args, facet_size_default=SIDEBAR_SIZE)
        # facet values named in two scripts show the spelling of the page's language
        answer = mark_timed_out(get_archive().search(**params, language=i18n.current_language()))
        record_search(params, answer)
    except GenerationGone:  # the list's generation is no longer kept: its first page again
        return redirect(search_url(page=None))
    except SearchError as exc:
        if exc.status != 400:
            raise
        error = exc.message
    context: dict[str, Any] = {
        "args": args,
        "error": error,
        "answer": answer,
        "chips": chips(args),
        "sort": args.get("sort") or "relevance",
        "sorts": limits.SORTS,
    }
    if answer is not None:
        context["facets"] = _trim_facets(answer.get("facets") or {})
        # The timeline and trends share what is left of the request's time budget; after
        # a search that ran out of it they would only repeat the same unfinished work.
        if not answer["timed_out"]:
            context["timeline_chart"] = trends_view.search_timeline(args, search_url)
        if not answer["timed_out"] and not any(
            args.get(key) for key in STATE_KEYS if key not in ("sort", "per_page")
        ):
            context["trends"] = trends_view.recent_trends()
        context["pages"] = pagination(answer["page"], answer["per_page"], answer["total"])
    return render_template("search.html", **context), 400 if error else 200


def paragraphs(body: str | None) -> list[str]:
    """Paragraphs split on blank lines (single newlines stay inside a paragraph)."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(body or "") if p.strip()]


def similar_results(article_id: str, limit: int = 5) -> list[dict[str, Any]]:
    """More like this: a few articles sharing this one's distinctive words and entities."""
    answer = get_archive().similar(article_id, limit=limit)
    return (answer or {}).get("results", [])


@bp.get("/articles/<article_id>")
def article(article_id: str) -> str:
    record = api.article_or_404(article_id)
    return render_template(
        "article.html",
        article=record,
        paragraphs=paragraphs(record.get("body")),
        similar=similar_results(record["id"]),
    )


def serves_wikinews(archive: Any) -> bool:
    """The demo archive is Wikinews: its CC BY 2.5 attribution must be shown."""
    for sort in ("newest", "oldest"):
        hits = archive.search(per_page=20, sort=sort, facet_size=1)["results"]
        if any("wikinews.org" in (hit.get("url") or "") for hit in hits):
            return True
    return False


@bp.get("/about")
def about() -> str:
    archive = get_archive()
    stats = archive.stats(language=i18n.current_language())
    return render_template(
        "about.html",
        stats=stats,
        wikinews=serves_wikinews(archive),
    )


@bp.app_context_processor
def _site() -> dict[str, Any]:
    return {"site_name": current_app.config["SITE_NAME"]}
