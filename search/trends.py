"""Rising facet values and results over time: pure numpy over a generation's arrays.

Kept apart from `Archive` so the statistic and the calendar arithmetic can be
tested on plain arrays. Dates are Whoosh datetime longs (microseconds since
0001-01-01); calendar months and years come from numpy's datetime64, so a
bucket count is one `np.bincount` over the matching documents.

The rising statistic is Dunning's log-likelihood ratio G² on the 2×2 table
(articles in the window / in the baseline) × (mentioning the value / not),
signed so that only values whose *share of articles* grew are kept. Shares
rather than raw counts, because the window and the baseline differ in length
and in how busy the news was; G² rather than a plain ratio, because a ratio
crowns any value seen twice in a quiet week. A value must also reach
`MIN_COUNT` articles in the window and G² ≥ `MIN_SCORE` (p < 0.001, one
degree of freedom) to be called rising.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from whoosh.util.times import datetime_to_long

from search.errors import SearchError
from search.generation import FacetTable, Generation

DAY = 86_400 * 1_000_000  # one day in Whoosh datetime longs (microseconds)
EPOCH = datetime_to_long(datetime(1970, 1, 1))  # numpy's datetime64 zero, as a Whoosh long
INTERVALS = ("month", "year")
MAX_BUCKETS = 600  # 50 years of months; a longer month timeline is shown by year
MIN_COUNT = 3  # articles in the window before a value may be called rising
MIN_SCORE = 10.83  # G² critical value for p < 0.001 with one degree of freedom
_UNIT = {"month": "M", "year": "Y"}


def day_start(value: int) -> int:
    """Midnight of the day holding `value`."""
    return value - (value - EPOCH) % DAY


def window_for(end: int, days: int) -> tuple[int, int]:
    """The `days` whole calendar days ending with the day of `end` (the newest article)."""
    last_midnight = day_start(end)
    return last_midnight - (days - 1) * DAY, last_midnight + DAY - 1


def iso_day(value: int) -> str:
    """YYYY-MM-DD of a Whoosh long: the form the from/to parameters accept."""
    return str(np.datetime64(value - EPOCH, "us").astype("datetime64[D]"))


def g2_rising(a: np.ndarray, b: np.ndarray, n_window: int, n_base: int) -> np.ndarray:
    """Signed G² per value: positive when its share rose from the baseline to the window.

    `a`, `b`: articles mentioning each value in the window and in the baseline.
    """
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    total = float(n_window + n_base)
    if n_window == 0 or n_base == 0:
        return np.zeros(len(a))
    c = n_window - a
    d = n_base - b
    row = a + b
    rest = c + d
    observed = (a, b, c, d)
    expected = (
        n_window * row / total,
        n_base * row / total,
        n_window * rest / total,
        n_base * rest / total,
    )
    g2 = np.zeros(len(a))
    for o, e in zip(observed, expected, strict=True):
        positive = o > 0
        safe_e = np.where(positive, e, 1.0)
        g2 += np.where(positive, o * np.log(np.where(positive, o, 1.0) / safe_e), 0.0)
    g2 = np.maximum(2.0 * g2, 0.0)  # rounding can leave a tiny negative for equal shares
    rising = a * n_base > b * n_window
    return np.where(rising, g2, -g2)


def rising_values(
    table: FacetTable,
    in_window: np.ndarray,
    in_base: np.ndarray,
    limit: int,
    *,
    min_count: int = MIN_COUNT,
    min_score: float = MIN_SCORE,
    language: str | None = None,
) -> list[dict]:
    """The `limit` values whose share rose most (by G²), strongest first, ties by count, name;
    each shown as a page in `language` shows it (FacetTable.shown), in the same order."""
    n_window = int(np.count_nonzero(in_window))
    n_base = int(np.count_nonzero(in_base))
    if not n_window or not n_base or not len(table.values):
        return []
    a = table.counts(in_window)
    b = table.counts(in_base)
    scores = g2_rising(a, b, n_window, n_base)
    candidates = np.flatnonzero((a >= min_count) & (scores >= min_score))
    order = sorted(
        (int(o) for o in candidates),
        key=lambda o: (-scores[o], -a[o], table.display[o]),
    )[:limit]
    out = []
    for o in order:
        ratio = ((a[o] + 0.5) / n_window) / ((b[o] + 0.5) / n_base)
        out.append(
            {
                "value": table.shown(o, language),
                "count": int(a[o]),
                "baseline_count": int(b[o]),
                "score": round(float(scores[o]), 1),
                "ratio": round(float(ratio), 1),
                "_ordinal": o,
            }
        )
    return out


def periods(dates: np.ndarray, interval: str) -> np.ndarray:
    """Months (or years) since 1970 for each Whoosh long in `dates`."""
    stamps = (dates - EPOCH).astype("datetime64[us]")
    return stamps.astype(f"datetime64[{_UNIT[interval]}]").astype(np.int64)


def period_start(period: int, interval: str) -> str:
    """The first day of a period, YYYY-MM-DD (`2017-06-01`, `2017-01-01`)."""
    text = str(np.datetime64(int(period), _UNIT[interval]))
    return text + ("-01" if interval == "month" else "-01-01")


def period_label(start: str, interval: str) -> str:
    """The from/to parameter naming a whole period: `2017-06` or `2017` (or a day, `2017-06-19`)."""
    return start[: {"month": 7, "day": 10}.get(interval, 4)]


def span(matched: np.ndarray, interval: str) -> int:
    """How many buckets the matched dates cover, first to last (0 when none)."""
    if not len(matched):
        return 0
    p = periods(np.array([matched.min(), matched.max()]), interval)
    return int(p[1] - p[0] + 1)


def buckets(matched: np.ndarray, interval: str) -> list[dict]:
    """Counts per period from the first to the last matched date, empty periods included."""
    if not len(matched):
        return []
    p = periods(matched, interval)
    first = int(p.min())
    counts = np.bincount(p - first)
    return [
        {"start": period_start(first + i, interval), "count": int(c)} for i, c in enumerate(counts)
    ]


def monthly_series(
    table: FacetTable,
    mask: np.ndarray,
    dates: np.ndarray,
    ordinals: list[int],
    first: int,
    months: int,
) -> np.ndarray:
    """A (values × months) count matrix for sparklines, months counted from period `first`."""
    out = np.zeros((len(ordinals), months), dtype=np.int64)
    if not ordinals or not months:
        return out
    rank = np.full(len(table.values), -1, dtype=np.int64)
    rank[ordinals] = np.arange(len(ordinals))
    r = rank[table.ords]
    keep = (r >= 0) & mask[table.docs]
    docs = table.docs[keep]
    p = periods(dates[docs], "month") - first
    inside = (p >= 0) & (p < months)
    flat = r[keep][inside] * months + p[inside]
    return np.bincount(flat, minlength=len(ordinals) * months).reshape(len(ordinals), months)


# ---- the answers Archive.trends and Archive.timeline return ----

FACETS = ("person", "organization", "place", "tag")
MAX_DAYS = 3650
MAX_LIMIT = 50
SERIES_MONTHS = 120  # sparklines show at most the last ten years of months


def trends_answer(
    gen: Generation,
    facet: str,
    considered: np.ndarray,
    days: int,
    limit: int,
    to_bound: int | None,
    series: bool,
    language: str | None = None,
) -> dict:
    """The /api/trends dict for dated docs `considered` (already live, matching, filtered),
    values named in two scripts in the spelling of `language`."""
    newest = gen.live & gen.dated
    answer: dict = {
        "facet": facet,
        "days": days,
        "window": {"from": None, "to": None, "articles": 0},
        "baseline": {"from": None, "to": None, "articles": 0},
        "rising": [],
    }
    if not newest.any():
        return answer
    end = int(gen.dates[newest].max())
    if to_bound is not None:
        end = min(end, to_bound)
    start, end = window_for(end, days)
    dates = gen.dates
    in_window = considered & (dates >= start) & (dates <= end)
    in_base = considered & (dates < start)
    n_window = int(np.count_nonzero(in_window))
    n_base = int(np.count_nonzero(in_base))
    answer["window"] = {"from": iso_day(start), "to": iso_day(end), "articles": n_window}
    if n_base:
        first = day_start(int(dates[in_base].min()))
        answer["baseline"] = {"from": iso_day(first), "to": iso_day(start - 1), "articles": n_base}
    table = gen.facets[facet]
    found = rising_values(table, in_window, in_base, limit, language=language)
    if series and found:
        last = int(periods(np.array([end]), "month")[0])
        first_month = last - SERIES_MONTHS + 1
        if n_base:
            first_month = max(first_month, int(periods(dates[in_base], "month").min()))
        months = last - first_month + 1
        ordinals = [item["_ordinal"] for item in found]
        matrix = monthly_series(table, considered, dates, ordinals, first_month, months)
        answer["series"] = {
            "interval": "month",
            "starts": [period_start(first_month + i, "month") for i in range(months)],
        }
        for item, row in zip(found, matrix, strict=True):
            item["series"] = [int(c) for c in row]
    for item in found:
        del item["_ordinal"]
    answer["rising"] = found
    return answer


def timeline_answer(gen: Generation, mask: np.ndarray, interval: str) -> dict:
    """The /api/timeline dict: dated matches per period; month falls back to year past the cap."""
    dated = mask & gen.dated
    matched = gen.dates[dated]
    requested = interval
    if interval == "month" and span(matched, "month") > MAX_BUCKETS:
        interval = "year"
    if span(matched, interval) > MAX_BUCKETS:
        raise SearchError(
            f"the matching articles span more than {MAX_BUCKETS} years: narrow with from/to",
            parameter="interval",
        )
    return {
        "interval": interval,
        "requested_interval": requested,
        "total": int(len(matched)),
        "undated": int(np.count_nonzero(mask & ~gen.dated)),
        "buckets": buckets(matched, interval),
    }
