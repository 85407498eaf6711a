"""OpenAPI paths for /api/trends and /api/timeline, for web.openapi to merge into its document.

`paths(max_q)` returns a plain dict (schemas inline, errors by `$ref` to the
document's `Error` schema) for the app's MAX_QUERY_LENGTH. Limits come from
search.trends, the same constants the archive checks.
"""

from __future__ import annotations

from typing import Any

from search import trends as tr
from web.openapi_params import date_params, facet_filter_params, language_param, query_param

JSON = "application/json"
_ERROR = {"$ref": "#/components/schemas/Error"}
_DATE = {"type": ["string", "null"], "format": "date"}


def _filters(max_q: int) -> list[dict[str, Any]]:
    """q, from/to and the facet filters, exactly as /api/search takes them."""
    q = query_param(
        "q", {"type": "string", "maxLength": max_q}, "only articles matching this query"
    )
    return [q, *date_params(), *facet_filter_params()]


def _errors() -> dict[str, Any]:
    def error(text: str) -> dict[str, Any]:
        return {"description": text, "content": {JSON: {"schema": _ERROR}}}

    return {
        "304": {"description": "not modified since the ETag given in If-None-Match"},
        "400": error("a parameter is invalid; `parameter` names it"),
        "414": error("URL too long"),
        "429": error("rate limit exceeded; see Retry-After"),
        "503": error("the index is missing or cannot be used"),
    }


def _period(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["from", "to", "articles"],
        "properties": {"from": _DATE, "to": _DATE, "articles": {"type": "integer"}},
    }


_TIMED_OUT = {
    "type": "boolean",
    "description": "the query ran out of time: counts are from what it found (not cached)",
}

TRENDS_RESPONSE = {
    "type": "object",
    "required": ["facet", "window", "baseline", "rising"],
    "properties": {
        "facet": {"type": "string", "enum": list(tr.FACETS)},
        "days": {"type": "integer"},
        "window": _period("the `days` days ending with the newest dated article (or `to`)"),
        "baseline": _period("every earlier matching article; from is null when there is none"),
        "rising": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["value", "count", "baseline_count", "score"],
                "properties": {
                    "value": {"type": "string"},
                    "count": {"type": "integer", "description": "articles in the window"},
                    "baseline_count": {"type": "integer", "description": "articles before it"},
                    "score": {"type": "number", "description": "Dunning's G², rising only"},
                    "ratio": {"type": "number", "description": "share ratio, +0.5 smoothed"},
                },
            },
        },
        "timed_out": _TIMED_OUT,
    },
}

TIMELINE_RESPONSE = {
    "type": "object",
    "required": ["interval", "buckets"],
    "properties": {
        "interval": {"type": "string", "enum": list(tr.INTERVALS)},
        "requested_interval": {
            "type": "string",
            "description": f"differs from interval when over {tr.MAX_BUCKETS} months became years",
        },
        "total": {"type": "integer", "description": "dated matching articles"},
        "undated": {"type": "integer", "description": "matching articles left out: no date"},
        "timed_out": _TIMED_OUT,
        "buckets": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["start", "count"],
                "properties": {
                    "start": {"type": "string", "format": "date"},
                    "count": {"type": "integer"},
                },
            },
        },
    },
}


def _get(summary: str, description: str, params: list, schema: dict) -> dict[str, Any]:
    ok = {"description": summary, "content": {JSON: {"schema": schema}}}
    return {
        "get": {
            "summary": summary,
            "description": description,
            "parameters": params,
            "responses": {"200": ok, **_errors()},
        }
    }


def paths(max_q: int) -> dict[str, Any]:
    """The two path items; `max_q` is the app's MAX_QUERY_LENGTH."""
    return {
        "/api/trends": _get(
            "values rising in the recent window",
            "Values whose share of matching articles rose most in the last `days` days (ending "
            "with the archive's newest dated article, or `to`) against every earlier matching "
            "article, ranked by Dunning's log-likelihood ratio G². A value needs at least "
            f"{tr.MIN_COUNT} articles in the window and G² >= {tr.MIN_SCORE}. An empty window "
            "gives an empty list.",
            [
                query_param(
                    "facet",
                    {"type": "string", "enum": list(tr.FACETS), "default": "person"},
                    "which values",
                ),
                query_param(
                    "days",
                    {"type": "integer", "minimum": 1, "maximum": tr.MAX_DAYS, "default": 90},
                    "length of the recent window in days",
                ),
                query_param(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": tr.MAX_LIMIT, "default": 10},
                    "how many values",
                ),
                *_filters(max_q),
                language_param(),
            ],
            TRENDS_RESPONSE,
        ),
        "/api/timeline": _get(
            "matching articles per month or year",
            "Every period from the first to the last dated match, empty ones included; undated "
            f"articles are counted in `undated` only. Over {tr.MAX_BUCKETS} months answers by "
            f"year; over {tr.MAX_BUCKETS} years is a 400 (narrow with from/to).",
            [
                query_param(
                    "interval",
                    {"type": "string", "enum": list(tr.INTERVALS), "default": "month"},
                    "bucket size",
                ),
                *_filters(max_q),
            ],
            TIMELINE_RESPONSE,
        ),
    }
