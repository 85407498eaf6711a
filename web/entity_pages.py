"""Entity pages: /people/<value>, /organizations/<value>, /places/<value> and their JSON.

The value is the entity's display spelling, percent-encoded as one path
segment (a `/` becomes %2F, so a value can never climb the path); Flask's
`path` converter takes it back whole, slashes and all. Any other spelling or
alias answers 301 to the canonical URL, which is the same whatever language
the page is shown in. The numbers come from `Archive.entity` (search.entities);
this module only adds URLs and chart geometry, and the template escapes every
value.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from search import entities
from search import trends as tr
from web import get_archive, i18n
from web import trends as trends_view
from web.api import language_arg
from web.errors import not_found
from web.feeds import feed_url

bp = Blueprint("entities", __name__)

PAGE_SEGMENTS = {"person": "people", "organization": "organizations", "place": "places"}


def _root(public: bool = False) -> str:
    """The site's root path, ending in `/`; `public`: prefixed with ARCHIVE_SEARCH_PUBLIC_URL
    (absolute when that is set, never taken from the Host header, as web.api's html_url)."""
    root = url_for("pages.search", lang=None)  # a path to build on, without the language
    return current_app.config["PUBLIC_URL"] + root if public else root


def _segment(value: str) -> str:
    return quote(value, safe="")


@bp.app_template_global("entity_url")
def entity_url(kind: str, value: str, public: bool = False) -> str:
    """The page of one person, organization or place (any spelling; it redirects); a link
    from a page whose language `lang=` chose keeps it, a public (canonical) URL never has it."""
    return _page_url(kind, value, public=public)


def _path(kind: str, value: str, public: bool = False) -> str:
    return f"{_root(public)}{PAGE_SEGMENTS[kind]}/{_segment(value)}"


def _page_url(kind: str, value: str, public: bool = False, **args: str) -> str:
    query = urlencode([*args.items(), *([] if public else i18n.pinned_args())])
    return _path(kind, value, public) + (f"?{query}" if query else "")


def api_entity_url(kind: str, value: str) -> str:
    return f"{_root()}api/entities/{kind}/{_segment(value)}"


def _canonical(kind: str, value: str) -> str:
    """The canonical value for any spelling, or a 404 naming what was asked for."""
    canonical = get_archive().entity_value(kind, value)
    if canonical is None:
        raise not_found(f"no {kind} called {value!r} in the archive")
    return canonical


def _moved(location: str) -> Response:
    """301 to the canonical URL, keeping the query string (e.g. `interval`)."""
    query = request.query_string.decode("utf-8", "replace")
    return redirect(location + (f"?{query}" if query else ""), code=301)


def _answer(kind: str, value: str, language: str | None) -> dict[str, Any]:
    """`language`: the name and related values are shown in its script where articles name
    them in two (the page's language; the API's `lang`)."""
    interval = None  # by month, or by year for a long span (search.entities)
    if request.args.get("interval"):
        interval = trends_view.choice_arg(request.args, "interval", tr.INTERVALS, "month")
    answer = get_archive().entity(kind, value, interval, language)
    if answer is None:  # deleted between the two lookups
        raise not_found(f"no {kind} called {value!r} in the archive")
    return answer


def combined_search(kind: str, value: str, other_kind: str, other: str) -> str:
    """The search for articles naming both. Two values of one kind would be OR as filters,
    so the second becomes a `kind:"value"` query term."""
    if other_kind != kind:
        return url_for("pages.search", **{kind: value, other_kind: other})
    words = " ".join(other.replace('"', " ").split())
    return url_for("pages.search", **{kind: value, "q": f'{other_kind}:"{words}"'})


@bp.get("/api/entities/<kind>/<path:value>")
def api_entity(kind: str, value: str) -> Response:
    if kind not in entities.KINDS:
        raise not_found(f"unknown kind {kind!r}: use {', '.join(entities.KINDS)}")
    language = language_arg(request.args)  # before a redirect that would keep a bad one
    canonical = _canonical(kind, value)
    if canonical != value:
        return _moved(api_entity_url(kind, canonical))
    answer = _answer(kind, canonical, language)
    answer["html_url"] = entity_url(kind, canonical, public=True)
    answer["feed_url"] = feed_url(public=True, **{kind: canonical})
    return jsonify(answer)


def _page(kind: str, value: str) -> Response | str:
    canonical = _canonical(kind, value)
    if canonical != value:
        return _moved(_path(kind, canonical))
    answer = _answer(kind, canonical, i18n.current_language())

    def bar_link(**changes: Any) -> str:
        return url_for("pages.search", **{kind: canonical, **changes})

    def switch(other: str) -> str:
        return _page_url(kind, canonical, interval=other)

    chart = trends_view.timeline_chart(answer["timeline"], bar_link, switch, width=800)
    for other_kind, items in answer["related"].items():
        for item in items:
            item["search_url"] = combined_search(kind, canonical, other_kind, item["value"])
    return render_template(
        "entity.html",
        entity=answer,
        timeline_chart=chart,
        search_link=url_for("pages.search", **{kind: canonical}),
        newest_link=url_for("pages.search", **{kind: canonical, "sort": "newest"}),
        feed_link=feed_url(**{kind: canonical}),
        canonical_url=entity_url(kind, canonical, public=True),
    )


@bp.get("/people/<path:value>")
def person_page(value: str) -> Response | str:
    return _page("person", value)


@bp.get("/organizations/<path:value>")
def organization_page(value: str) -> Response | str:
    return _page("organization", value)


@bp.get("/places/<path:value>")
def place_page(value: str) -> Response | str:
    return _page("place", value)
