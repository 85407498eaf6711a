"""OpenAPI path for /api/entities/{kind}/{value}, for web.openapi to merge into its document.

Schemas are inline; errors refer to the document's `Error` schema and results to its
`Result` schema. Limits come from search.entities, the constants the archive uses.
"""

from __future__ import annotations

from typing import Any

from search import entities
from search import trends as tr
from web.openapi_params import language_param, query_param
from web.openapi_trends import TIMELINE_RESPONSE

JSON = "application/json"
_ERROR = {"content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}
_RESULT = {"$ref": "#/components/schemas/Result"}
_DATE = {"type": ["string", "null"], "format": "date"}

RELATED = {
    "type": "array",
    "maxItems": entities.RELATED_LIMIT,
    "items": {
        "type": "object",
        "required": ["value", "count", "articles", "score"],
        "properties": {
            "value": {"type": "string"},
            "count": {"type": "integer", "description": "articles naming both"},
            "articles": {"type": "integer", "description": "articles naming this value"},
            "score": {"type": "number", "description": "Dunning's G², positive association"},
        },
    },
}

ENTITY_RESPONSE = {
    "type": "object",
    "required": ["kind", "value", "name", "spellings", "articles", "timeline", "related"],
    "properties": {
        "kind": {"type": "string", "enum": list(entities.KINDS)},
        "value": {"type": "string", "description": "the canonical value (the URL's)"},
        "name": {
            "type": "string",
            "description": "the name to show: the spelling of `lang` when articles use two "
            "scripts, else the canonical value",
        },
        "spellings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["text", "articles", "alias"],
                "properties": {
                    "text": {"type": "string"},
                    "articles": {"type": "integer", "description": "articles spelling it so"},
                    "alias": {"type": "boolean", "description": "listed in the alias file"},
                },
            },
        },
        "other_script": {
            "type": ["string", "null"],
            "description": "its most used spelling in the script `name` is not in "
            "(Cyrillic or Latin)",
        },
        "articles": {"type": "integer"},
        "first": _DATE,
        "last": _DATE,
        "timeline": TIMELINE_RESPONSE,
        "related": {
            "type": "object",
            "properties": {kind: RELATED for kind in entities.KINDS},
        },
        "latest": {"type": "array", "items": _RESULT},
        "central": {
            "type": "array",
            "items": {
                "allOf": [_RESULT],
                "properties": {"mentions": {"type": "integer"}},
            },
        },
        "html_url": {"type": "string"},
        "feed_url": {"type": "string"},
    },
}


def paths() -> dict[str, Any]:
    ok = {"description": "the entity", "content": {JSON: {"schema": ENTITY_RESPONSE}}}
    moved = {
        "description": "another spelling or an alias: Location is the canonical value's URL",
        "headers": {"Location": {"schema": {"type": "string"}}},
    }
    parameters = [
        {
            "name": "kind",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "enum": list(entities.KINDS)},
        },
        {
            "name": "value",
            "in": "path",
            "required": True,
            "description": "any spelling, percent-encoded (a `/` as %2F)",
            "schema": {"type": "string", "minLength": 1, "maxLength": entities.MAX_VALUE_LENGTH},
        },
        query_param(
            "interval",
            {"type": "string", "enum": list(tr.INTERVALS)},
            f"bucket size of the timeline; by default month, or year when the mentions "
            f"span over {entities.MONTHS_SHOWN} months",
        ),
        language_param(),
    ]
    return {
        "/api/entities/{kind}/{value}": {
            "get": {
                "summary": "one person, organization or place",
                "description": (
                    "Its other spellings, mentions over time, the values most associated "
                    f"with it (G² on article counts, at least {entities.MIN_TOGETHER} articles "
                    f"together), its latest and its most central articles (most mentions). "
                    "Any other spelling or alias answers 301 to the canonical value's URL."
                ),
                "parameters": parameters,
                "responses": {
                    "200": ok,
                    "301": moved,
                    "304": {"description": "not modified since the ETag given in If-None-Match"},
                    "400": {"description": "a parameter is invalid", **_ERROR},
                    "404": {"description": "unknown kind, or no such value", **_ERROR},
                    "414": {"description": "URL too long", **_ERROR},
                    "429": {"description": "rate limit exceeded; see Retry-After", **_ERROR},
                    "503": {"description": "the index is missing or cannot be used", **_ERROR},
                },
            }
        }
    }
