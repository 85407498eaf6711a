"""Query-parameter descriptions shared by the OpenAPI paths of web.openapi and
web.openapi_trends: the query, date bounds and facet filters every read endpoint takes."""

from __future__ import annotations

from typing import Any

from search import limits


def query_param(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **extra,
    }


def date_params() -> list[dict[str, Any]]:
    date = {"type": "string", "pattern": f"^{limits.DATE_PATTERN}$"}
    return [
        query_param("from", date, "first date, inclusive: 2017, 2017-06 or 2017-06-19"),
        query_param("to", date, "last date, inclusive, covering its whole period"),
    ]


def facet_filter_params() -> list[dict[str, Any]]:
    """One repeatable parameter per facet: OR within a facet, AND across facets (at most
    MAX_FILTER_VALUES values in all, which is also each facet's own most)."""
    values = {
        "type": "array",
        "maxItems": limits.MAX_FILTER_VALUES,
        "items": {"type": "string", "minLength": 1, "maxLength": limits.MAX_FILTER_LENGTH},
    }
    description = f"filter; repeat for OR (at most {limits.MAX_FILTER_VALUES} values in all facets)"
    return [
        query_param(name, values, f"{name} {description}", style="form", explode=True)
        for name in limits.FACET_FIELDS
    ]
