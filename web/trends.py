"""Recent trends and mentions over time: /api/trends, /api/timeline, /trends and /timeline.

The JSON endpoints check parameters with web.api's helpers (so a mistake is a
400 naming the parameter, like /api/search) and return `Archive.trends` /
`Archive.timeline` unchanged. The pages and the two partials the search page
includes (`_trends_block.html`, `_timeline.html`) get chart geometry from the
helpers here, so the templates only place SVG shapes: no script, no inline
style (the CSP forbids both).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from search import limits
from search import trends as tr
from search.errors import SearchError
from web import api, get_archive, i18n, time_left
from web.errors import bad_parameter
from web.ratelimit import mark_timed_out

bp = Blueprint("trends", __name__)

PAGE_KINDS = ("person", "organization", "place")
DAY_CHOICES = (30, 90, 365)
DEFAULT_DAYS = 90
BLOCK_LIMIT = 5  # rising values per kind in the search page's block
PAGE_LIMIT = 10
STATE_KEYS = ("q", "from", "to", *limits.FACET_FIELDS)


# ---- parameters ----


def query_params(args: MultiDict) -> dict[str, Any]:
    """q, from/to and facet filters, checked exactly as /api/search checks them."""
    return {
        "q": api.text_arg(args, "q", current_app.config["MAX_QUERY_LENGTH"]),
        "date_from": api.date_arg(args, "from"),
        "date_to": api.date_arg(args, "to"),
        "filters": api.filter_args(args) or None,
        "time_limit": time_left(),
    }


def choice_arg(args: MultiDict, name: str, choices: tuple[str, ...], default: str) -> str:
    value = args.get(name) or default
    if value not in choices:
        raise bad_parameter(name, f"{name} must be one of {', '.join(choices)}")
    return value


def trends_params(args: MultiDict) -> dict[str, Any]:
    return {
        "facet": choice_arg(args, "facet", tr.FACETS, "person"),
        "days": api.int_arg(args, "days", DEFAULT_DAYS, 1, tr.MAX_DAYS),
        "limit": api.int_arg(args, "limit", 10, 1, tr.MAX_LIMIT),
        **query_params(args),
    }


# ---- JSON API ----


@bp.get("/api/trends")
def api_trends() -> Response:
    params = trends_params(request.args)
    language = api.language_arg(request.args)
    answer = get_archive().trends(params.pop("facet"), **params, language=language)
    return jsonify(mark_timed_out(answer))


@bp.get("/api/timeline")
def api_timeline() -> Response:
    interval = choice_arg(request.args, "interval", tr.INTERVALS, "month")
    answer = get_archive().timeline(interval, **query_params(request.args))
    return jsonify(mark_timed_out(answer))


# ---- helpers the search page calls ----


def recent_trends(days: int = DEFAULT_DAYS, limit: int = BLOCK_LIMIT) -> dict[str, dict]:
    """{kind: /api/trends answer} for people, organizations and places (the search page block),
    in the spelling of the page's language."""
    archive = get_archive()
    language = i18n.current_language()
    return {
        kind: mark_timed_out(
            archive.trends(kind, days=days, limit=limit, time_limit=time_left(), language=language)
        )
        for kind in PAGE_KINDS
    }


def search_timeline(args: MultiDict, link: Callable[..., str]) -> dict[str, Any] | None:
    """The `timeline_chart` for a search page: its own matches over time, or None.

    `link(**changes)` builds a search URL keeping the rest of the state (pages.search_url);
    the interval travels as `interval=year` (month is the default and is left out).
    """
    interval = args.get("interval") if args.get("interval") in tr.INTERVALS else "month"
    try:
        answer = mark_timed_out(get_archive().timeline(interval, **query_params(args)))
    except SearchError:
        return None
    keep = {"interval": None if interval == "month" else interval}
    return timeline_chart(
        answer,
        lambda **changes: link(**{**keep, **changes}),
        lambda other: link(interval=None if other == "month" else other),
        selected=(args.get("from"), args.get("to")),
    )


# ---- chart geometry ----


def timeline_chart(
    answer: dict[str, Any],
    link: Callable[..., str],
    switch: Callable[[str], str],
    *,
    selected: tuple[str | None, str | None] = (None, None),
    width: int = 640,
    height: int = 140,
) -> dict[str, Any] | None:
    """Bars for an /api/timeline answer; each links to its period via `link(from=…, to=…)`."""
    rows = answer.get("buckets") or []
    interval = answer["interval"]
    other = "year" if interval == "month" else "month"
    chart: dict[str, Any] = {
        "interval": interval,
        "coarsened": answer.get("requested_interval", interval) != interval,
        "switch_url": switch(other),
        "total": answer.get("total", sum(r["count"] for r in rows)),
        "undated": answer.get("undated", 0),
        "bars": [],
    }
    if not rows:
        return chart
    slot = min(width / len(rows), 48)
    bar_width = max(slot * 0.8, 1.0)
    peak = max(r["count"] for r in rows) or 1
    base = height - 18
    every = max(1, math.ceil(len(rows) / 10))
    for i, row in enumerate(rows):
        period = tr.period_label(row["start"], interval)
        bar_height = round((base - 14) * row["count"] / peak, 1)
        chart["bars"].append(
            {
                "period": period,
                "count": row["count"],
                "selected": selected == (period, period),
                "x": round(i * slot + (slot - bar_width) / 2, 1),
                "width": round(bar_width, 1),
                "y": round(base - bar_height, 1),
                "height": bar_height,
                "center": round(i * slot + slot / 2, 1),
                "label": i % every == 0,
                "url": link(**{"from": period, "to": period}) if row["count"] else None,
            }
        )
    peak_row = max(rows, key=lambda r: r["count"])
    chart.update(
        width=round(slot * len(rows), 1),
        height=height,
        base=base,
        counts=len(rows) <= 24,
        first=chart["bars"][0]["period"],
        last=chart["bars"][-1]["period"],
        peak=peak_row["count"],
        peak_period=tr.period_label(peak_row["start"], interval),
    )
    return chart


def sparkline(
    counts: list[int], starts: list[str], window_from: str, width: int = 180, height: int = 40
) -> dict[str, Any]:
    """A polyline of monthly counts with the months of the recent window marked."""
    n = len(counts)
    step = width / max(n - 1, 1)
    peak = max(counts) or 1
    top, bottom = 4, height - 4
    points = [
        (round(i * step, 1), round(bottom - (bottom - top) * c / peak, 1))
        for i, c in enumerate(counts)
    ]
    first_window = next((i for i, s in enumerate(starts) if s[:7] >= window_from[:7]), n - 1)
    window_x = max(0.0, round(first_window * step - step / 2, 1))
    peak_index = counts.index(max(counts))
    return {
        "width": width,
        "height": height,
        "points": " ".join(f"{x},{y}" for x, y in points),
        "area": f"0,{bottom} " + " ".join(f"{x},{y}" for x, y in points) + f" {width},{bottom}",
        "last_x": points[-1][0],
        "last_y": points[-1][1],
        "window_x": window_x,
        "window_width": round(width - window_x, 1),
        "bottom": bottom,
        "first": starts[0][:7],
        "last": starts[-1][:7],
        "peak": counts[peak_index],
        "peak_month": starts[peak_index][:7],
        "months": n,
    }


# ---- pages ----


def _days(args: MultiDict) -> int:
    return api.int_arg(args, "days", DEFAULT_DAYS, 1, tr.MAX_DAYS)


@bp.get("/trends")
def trends_page() -> tuple[str, int]:
    """Rising people, organizations and places with a sparkline each; window chosen by a form."""
    args = MultiDict(request.args)
    error = None
    sections = []
    days = DEFAULT_DAYS
    try:
        days = _days(args)
        archive = get_archive()
        for kind in PAGE_KINDS:
            answer = archive.trends(
                kind,
                days=days,
                limit=PAGE_LIMIT,
                series=True,
                time_limit=time_left(),
                language=i18n.current_language(),
            )
            mark_timed_out(answer)
            starts = (answer.get("series") or {}).get("starts") or []
            for item in answer["rising"]:
                item["spark"] = sparkline(item["series"], starts, answer["window"]["from"])
                item["search_url"] = url_for("pages.search", **{kind: item["value"]})
                item["timeline_url"] = url_for("trends.timeline_page", **{kind: item["value"]})
            sections.append({"kind": kind, "answer": answer})
    except SearchError as exc:
        error = exc.message
    context = {
        "days": days,
        "day_choices": sorted({*DAY_CHOICES, days}),
        "sections": sections,
        "error": error,
    }
    return render_template("trends.html", **context), 400 if error else 200


def _state(args: MultiDict, **changes: Any) -> list[tuple[str, str]]:
    state = MultiDict((k, v) for k, v in args.items(multi=True) if k in STATE_KEYS and v)
    for key, value in changes.items():
        state.poplist(key)
        if value is not None:
            state.add(key, value)
    return list(state.items(multi=True))


def _url(endpoint: str, state: list[tuple[str, str]]) -> str:
    """A page's URL with the search state (and the language `lang=` chose) as its query."""
    query = urlencode([*state, *i18n.pinned_args()])
    return url_for(endpoint, lang=None) + (f"?{query}" if query else "")


@bp.get("/timeline")
def timeline_page() -> tuple[str, int]:
    """One search's (often one entity's) articles over time: `/timeline?person=Lukashenka`."""
    args = MultiDict(request.args)
    error = None
    chart = None
    try:
        interval = choice_arg(args, "interval", tr.INTERVALS, "month")
        answer = mark_timed_out(get_archive().timeline(interval, **query_params(args)))

        def bar_link(**changes: Any) -> str:
            return _url("pages.search", _state(args, **changes))

        def switch(other: str) -> str:
            return _url(
                "trends.timeline_page", _state(args, interval=None if other == "month" else other)
            )

        chart = timeline_chart(answer, bar_link, switch, width=800, height=200)
    except SearchError as exc:
        error = exc.message
    described = [(k, v) for k, v in _state(args) if k in (*limits.FACET_FIELDS, "q", "from", "to")]
    context = {
        "timeline_chart": chart,
        "described": described,
        "search_link": _url("pages.search", _state(args)),
        "error": error,
    }
    return render_template("timeline.html", **context), 400 if error else 200
