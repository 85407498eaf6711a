"""Date bounds as readers type them: `2017`, `2017-06`, `2017-06-19` (a `to` covers its period).

Bounds become Whoosh's datetime longs (microseconds since year 1), the unit of
the `date` column the engine filters on.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from whoosh.util.times import datetime_to_long

from search.limits import DATE_PATTERN

_DATE = re.compile(DATE_PATTERN)


def parse_bound(text: str, *, end: bool) -> int:
    """The first (or, for `end`, the last) microsecond of the period `text` names.

    Raises ValueError with a reader-facing message when `text` is not such a date.
    """
    text = text.strip()
    if not _DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = ([int(part) for part in text.split("-")] + [None, None])[:3]
    try:
        start = datetime(year, month or 1, day or 1)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date ({exc})") from None
    if not end:
        return datetime_to_long(start)
    try:
        if day is not None:
            stop = start + timedelta(days=1)
        elif month is not None:
            stop = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            stop = start.replace(year=year + 1)
    except (ValueError, OverflowError):  # the period ends with the calendar
        return datetime_to_long(datetime.max)
    return datetime_to_long(stop) - 1
