"""The OpenAPI 3 description of /api, built in code from the same limits the views check.

Parameter schemas are exact (ranges, enums, patterns) so a schema-driven
fuzzer such as schemathesis generates both valid and invalid requests that
mean something; tests/test_web_schemathesis.py runs it against this document.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from search import limits
from web import openapi_entities, openapi_trends
from web.openapi_params import date_params, facet_filter_params, language_param, query_param

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref("Error")}}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref(schema)}}}


COMMON_ERRORS = {
    "400": _error("a parameter is invalid; `parameter` names it"),
    "413": _error("request body too large"),
    "414": _error("URL too long"),
    "429": _error("rate limit exceeded; see Retry-After"),
    "503": _error("the index is missing or cannot be used"),
}
NOT_MODIFIED = {"304": {"description": "not modified since the ETag given in If-None-Match"}}


def _search_parameters(max_q: int) -> list[dict[str, Any]]:
    params = [
        query_param("q", {"type": "string", "maxLength": max_q}, "the query (safe syntax)"),
        query_param(
            "page",
            {"type": "integer", "minimum": 1, "maximum": limits.MAX_WINDOW, "default": 1},
            f"1-based; page x per_page <= {limits.MAX_WINDOW}",
        ),
        query_param(
            "per_page",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": limits.MAX_PER_PAGE,
                "default": limits.DEFAULT_PER_PAGE,
            },
            "results per page",
        ),
        query_param(
            "sort",
            {"type": "string", "enum": list(limits.SORTS), "default": "relevance"},
            "result order",
        ),
        *date_params(),
        query_param(
            "facet_size",
            {
                "type": "integer",
                "minimum": limits.MIN_FACET_SIZE,
                "maximum": limits.MAX_FACET_SIZE,
                "default": limits.DEFAULT_FACET_SIZE,
            },
            "values returned per facet",
        ),
        query_param(
            "generation",
            {"type": "integer", "minimum": 0, "maximum": limits.MAX_GENERATION},
            "the `generation` page 1 reported: later pages read the same result list "
            "(410 when it is gone: start again; 425 when it has not reached this replica)",
        ),
    ]
    return params + facet_filter_params()


PARTIAL_PARAMETER = query_param(
    "partial",
    {"type": "string", "enum": ["0", "1", "true", "false"], "default": "0"},
    "1: the last word of q is still being typed and also matches as a prefix (the widget)",
)


ID_PARAMETER = {
    "name": "article_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": f"^{limits.ID_PATTERN}$"},
}


def _record(**types: str) -> dict[str, Any]:
    """An object schema whose every property is required and has the given JSON type."""
    return {
        "type": "object",
        "required": list(types),
        "properties": {name: {"type": kind} for name, kind in types.items()},
    }


def _schemas() -> dict[str, Any]:
    nullable_str = {"type": ["string", "null"]}
    entities = {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    }
    result = {
        "type": "object",
        "required": ["id", "title", "snippet"],
        "properties": {
            "id": {"type": "string"},
            "url": nullable_str,
            "title": {"type": "string"},
            "date": nullable_str,
            "category": nullable_str,
            "entities": entities,
            "snippet": {"type": "string"},
            "score": {"type": ["number", "null"]},
        },
    }
    facet_value = _record(value="string", count="integer", selected="boolean")
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["status", "message"],
                    "properties": {
                        "status": {"type": "integer"},
                        "message": {"type": "string"},
                        "parameter": {"type": "string"},
                    },
                }
            },
        },
        "Result": result,
        "SearchResponse": {
            "type": "object",
            "required": ["query", "total", "page", "per_page", "took_ms", "results", "facets"],
            "properties": {
                "query": {"type": "string"},
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "took_ms": {"type": "number"},
                "corrected": nullable_str,
                "results": {"type": "array", "items": _ref("Result")},
                "facets": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": facet_value},
                },
                "timed_out": {"type": "boolean"},
                "relaxed": {
                    "type": "boolean",
                    "description": "no article held every word of the query, so articles "
                    "holding any of them are shown",
                },
                "generation": {"type": "integer"},
            },
        },
        "Article": {
            "type": "object",
            "required": ["id", "html_url"],
            "properties": {
                "id": {"type": "string"},
                "url": nullable_str,
                "title": nullable_str,
                "date": nullable_str,
                "body": nullable_str,
                "category": nullable_str,
                "tags": {"type": "array", "items": {"type": "string"}},
                "entities": entities,
                "other_script": {
                    "type": "object",
                    "description": "kind -> entity value -> its spelling in the other script",
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                    },
                },
                "credit": nullable_str,
                "teaser": {"type": "boolean"},
                "source": nullable_str,
                "language": nullable_str,
                "html_url": {"type": "string"},
            },
        },
        "SimilarResponse": {
            "type": "object",
            "required": ["results"],
            "properties": {"results": {"type": "array", "items": _ref("Result")}},
        },
        "SuggestResponse": {
            "type": "object",
            "required": ["query", "suggestions"],
            "properties": {
                "query": {"type": "string"},
                "suggestions": {
                    "type": "array",
                    "items": _record(text="string", kind="string", count="integer"),
                },
            },
        },
        "Health": {
            "type": "object",
            "required": ["status"],
            "properties": {
                "status": {"type": "string", "enum": ["ok", "unavailable"]},
                "documents": {"type": "integer"},
                "generation": {"type": "integer"},
                "reason": {"type": "string"},
            },
        },
    }


def _get(
    summary: str,
    ok: dict[str, Any],
    params: list[dict[str, Any]],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    responses = {"200": ok, **NOT_MODIFIED, **COMMON_ERRORS, **(extra or {})}
    return {"get": {"summary": summary, "parameters": params, "responses": responses}}


def openapi_document() -> dict[str, Any]:
    """The document served at /api/openapi.json (limits follow the app's settings)."""
    max_q = current_app.config["MAX_QUERY_LENGTH"]
    not_found = {"404": _error("no article with this id")}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Archive Search API",
            "version": "1",
            "description": "Full-text search over an archive of articles.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/search": _get(
                "search the archive",
                _ok("a page of results with facets", "SearchResponse"),
                [*_search_parameters(max_q), PARTIAL_PARAMETER, language_param()],
                {
                    "410": _error("the pinned generation is gone: start again from page 1"),
                    "425": _error("the pinned generation has not reached this server yet"),
                },
            ),
            "/api/articles/{article_id}": _get(
                "one article record, with html_url",
                _ok("the article", "Article"),
                [ID_PARAMETER],
                not_found,
            ),
            "/api/articles/{article_id}/similar": _get(
                "articles like this one",
                _ok("similar articles", "SimilarResponse"),
                [
                    ID_PARAMETER,
                    query_param(
                        "limit",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": limits.MAX_SIMILAR,
                            "default": limits.DEFAULT_SIMILAR,
                        },
                        "how many",
                    ),
                ],
                not_found,
            ),
            "/api/suggest": _get(
                "completions for a prefix",
                _ok("suggestions", "SuggestResponse"),
                [
                    query_param("q", {"type": "string", "maxLength": max_q}, "the prefix"),
                    query_param(
                        "limit",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": limits.MAX_SUGGEST,
                            "default": limits.DEFAULT_SUGGEST,
                        },
                        "how many",
                    ),
                    language_param(),
                ],
            ),
            "/api/health": {
                "get": {
                    "summary": "is the index usable",
                    "parameters": [],
                    "responses": {
                        "200": _ok("the index is usable", "Health"),
                        "429": COMMON_ERRORS["429"],
                        "503": {
                            "description": "the index is missing or too old",
                            "content": {JSON: {"schema": _ref("Health")}},
                        },
                    },
                }
            },
            **openapi_trends.paths(max_q),
            **openapi_entities.paths(),
        },
        "components": {"schemas": _schemas()},
    }
