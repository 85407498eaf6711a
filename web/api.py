"""The JSON API v1: search, articles, similar, suggest, health, openapi.json.

The contract is the README's "The web site and the HTTP API"; limits are search.limits.

Parameters are checked here, before the archive sees them, so every mistake
a client can make is a 400 that names the parameter; the archive's own
`SearchError` is the second line. Answers are the archive's dicts, unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from werkzeug.datastructures import MultiDict

from search import limits
from search.storage import IndexUnavailable
from web import get_archive, i18n, time_left
from web.analytics import record_search
from web.errors import bad_parameter, not_found, unavailable_reason
from web.openapi import openapi_document
from web.ratelimit import mark_timed_out

bp = Blueprint("api", __name__, url_prefix="/api")

_ID = re.compile(limits.ID_PATTERN)
_DATE = re.compile(limits.DATE_PATTERN)


def int_arg(args: Mapping[str, str], name: str, default: Any, low: int, high: int) -> Any:
    """An integer parameter within [low, high], else a 400 naming it."""
    text = args.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text.strip())
    except ValueError:
        raise bad_parameter(name, f"{name} must be an integer") from None
    if not low <= value <= high:
        raise bad_parameter(name, f"{name} must be between {low} and {high}")
    return value


def date_arg(args: Mapping[str, str], name: str) -> str | None:
    """`2017`, `2017-06` or `2017-06-19` (checked to be a real date), else a 400."""
    text = (args.get(name) or "").strip()
    if not text:
        return None
    if not _DATE.fullmatch(text):
        raise bad_parameter(name, f"{name} must look like 2017, 2017-06 or 2017-06-19")
    parts = [int(p) for p in text.split("-")] + [1, 1]
    try:
        date(parts[0], parts[1], parts[2])
    except ValueError:
        raise bad_parameter(name, f"{name} is not a real date: {text}") from None
    if parts[0] < 1:
        raise bad_parameter(name, f"{name} is not a real date: {text}")
    return text


def text_arg(args: Mapping[str, str], name: str, limit: int) -> str:
    text = args.get(name) or ""
    if len(text) > limit:
        raise bad_parameter(name, f"{name} is too long: at most {limit} characters")
    if "\x00" in text:
        raise bad_parameter(name, f"{name} must not contain NUL characters")
    return text


def bool_arg(args: Mapping[str, str], name: str) -> bool:
    """`1`/`true` or `0`/`false` (absent is false), else a 400 naming it."""
    text = (args.get(name) or "").strip().lower()
    if text not in ("", "0", "1", "true", "false"):
        raise bad_parameter(name, f"{name} must be 1 or 0 (true or false)")
    return text in ("1", "true")


def language_arg(args: Mapping[str, str]) -> str | None:
    """`lang`: the language whose script entity values named in two scripts are shown in
    ("Владимир Путин" for ru), normalised as the site's `lang` is ("RU", "ru-RU", "ru_RU");
    absent, their most used spelling. Another language is a 400 naming it."""
    text = args.get("lang")
    if text is None or text == "":
        return None
    language = i18n.requested_language(text)
    if language is None:
        codes = " or ".join(i18n.LANGUAGES)
        raise bad_parameter("lang", f"lang must be {codes} (a region may follow: ru-RU, ru_RU)")
    return language


def filter_args(args: MultiDict) -> dict[str, list[str]]:
    """Facet filters: each repeatable (OR within a facet, AND across facets)."""
    filters: dict[str, list[str]] = {}
    count = 0
    for name in limits.FACET_FIELDS:
        values = [v.strip() for v in args.getlist(name) if v.strip()]
        for value in values:
            if len(value) > limits.MAX_FILTER_LENGTH or "\x00" in value:
                message = f"{name} values must be under {limits.MAX_FILTER_LENGTH} characters"
                raise bad_parameter(name, message)
        count += len(values)
        if values:
            filters[name] = list(dict.fromkeys(values))
    if count > limits.MAX_FILTER_VALUES:
        message = f"at most {limits.MAX_FILTER_VALUES} filter values per request"
        raise bad_parameter(limits.FACET_FIELDS[0], message)
    return filters


def search_params(
    args: MultiDict, facet_size_default: int = limits.DEFAULT_FACET_SIZE
) -> dict[str, Any]:
    """Checked keyword arguments for `Archive.search` from a query string."""
    max_q = current_app.config["MAX_QUERY_LENGTH"]
    window = limits.MAX_WINDOW
    page = int_arg(args, "page", 1, 1, window)
    per_page = int_arg(args, "per_page", limits.DEFAULT_PER_PAGE, 1, limits.MAX_PER_PAGE)
    if page * per_page > window:
        raise bad_parameter(
            "page", f"page x per_page must be at most {window}: narrow the search instead"
        )
    sort = args.get("sort") or "relevance"
    if sort not in limits.SORTS:
        raise bad_parameter("sort", f"sort must be one of {', '.join(limits.SORTS)}")
    filters = filter_args(args)
    return {
        "q": text_arg(args, "q", max_q),
        "page": page,
        "per_page": per_page,
        "sort": sort,
        "date_from": date_arg(args, "from"),
        "date_to": date_arg(args, "to"),
        "filters": filters or None,
        "facet_size": int_arg(
            args, "facet_size", facet_size_default, limits.MIN_FACET_SIZE, limits.MAX_FACET_SIZE
        ),
        "time_limit": time_left(),
        "generation": int_arg(args, "generation", None, 0, limits.MAX_GENERATION),
    }


def article_or_404(article_id: str) -> dict[str, Any]:
    """The stored record, or a 404 (ids outside the id pattern cannot exist)."""
    record = get_archive().article(article_id) if _ID.fullmatch(article_id) else None
    if record is None:
        raise not_found(f"no article with id {article_id!r}")
    return record


@bp.get("/search")
def search() -> Response:
    params = search_params(request.args)
    partial = bool_arg(request.args, "partial")  # the widget's "last word is being typed"
    language = language_arg(request.args)
    answer = mark_timed_out(get_archive().search(**params, partial=partial, language=language))
    record_search(params, answer, partial)
    return jsonify(answer)


@bp.get("/articles/<article_id>")
def article(article_id: str) -> Response:
    record = dict(article_or_404(article_id))
    # Never from the Host header (the ETag ignores it, so a cache would share a forged link).
    path = url_for("pages.article", article_id=record["id"])
    record["html_url"] = current_app.config["PUBLIC_URL"] + path
    return jsonify(record)


@bp.get("/articles/<article_id>/similar")
def similar(article_id: str) -> Response:
    limit = int_arg(request.args, "limit", limits.DEFAULT_SIMILAR, 1, limits.MAX_SIMILAR)
    answer = get_archive().similar(article_id, limit=limit) if _ID.fullmatch(article_id) else None
    if answer is None:
        raise not_found(f"no article with id {article_id!r}")
    return jsonify(answer)


@bp.get("/suggest")
def suggest() -> Response:
    prefix = text_arg(request.args, "q", current_app.config["MAX_QUERY_LENGTH"])
    limit = int_arg(request.args, "limit", limits.DEFAULT_SUGGEST, 1, limits.MAX_SUGGEST)
    language = language_arg(request.args)
    return jsonify(get_archive().suggest(prefix, limit=limit, language=language))


@bp.get("/health")
def health() -> tuple[Response, int]:
    try:
        state = get_archive().health()
    except IndexUnavailable as exc:
        return jsonify({"status": "unavailable", "reason": unavailable_reason(exc)}), 503
    except Exception:  # a health check reports, it does not crash
        current_app.logger.exception("health check failed")
        reason = "the index could not be read; see the server log"
        return jsonify({"status": "unavailable", "reason": reason}), 503
    body = {"status": "ok", "documents": state["documents"], "generation": state["generation"]}
    return jsonify(body), 200


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
