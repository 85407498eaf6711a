"""Query-parameter descriptions shared by the OpenAPI paths of web.openapi,
web.openapi_trends and web.openapi_entities: the query, date bounds and facet filters
every read endpoint takes, and `lang`."""

from __future__ import annotations

from typing import Any

from search import limits
from web import i18n


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


def language_param() -> dict[str, Any]:
    """`lang` (web.api.language_arg): the spelling two-script entity values are shown in.
    The pattern is the supported languages in either case, then any subtags."""
    codes = "|".join("".join(f"[{c.upper()}{c}]" for c in code) for code in i18n.LANGUAGES)
    schema = {
        "type": "string",
        "maxLength": i18n.MAX_TAG_LENGTH,
        "pattern": f"^(?:{codes}){i18n.SUBTAGS}$",
    }
    return query_param(
        "lang",
        schema,
        f"{' or '.join(i18n.LANGUAGES)} (RU, ru-RU and ru_RU count): people, organizations "
        "and places that articles name in two scripts (Vladimir Putin, Владимир Путин) are "
        "shown in this language's spelling; without it, in their most used spelling. "
        "Another language is a 400.",
    )


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
