"""The scraped page-text format of the seed archive (README, "Input formats").

A page holds the main article (title, ``Category …:`` line, date line, photo
credit, paragraphs), then ``Similar articles`` with teasers of other articles
(title, date, credit, paragraphs), then ``Recent trends``. Each article and each
teaser becomes its own record; the section markers and everything after
``Recent trends`` are page furniture and are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from dateutil.parser import ParserError
from dateutil.parser import parse as parse_datetime

from index.readers._types import Parsed, Problem, make_article

SOURCE = "pagetext"
_TEASERS_START = {"similar articles", "related articles"}
_PAGE_END = {"recent trends"}
_MARKUP_REMNANT = re.compile(r"^[\w ]{0,40}-->$")  # "header -->"
_CATEGORY = re.compile(r"^(?:categor(?:y|ies)|категория|рубрика)\b[^:]{0,60}:\s*(.*)$", re.I)
_CREDIT = re.compile(
    r"^(?:фото|фота|photos?|images?|foto|fotos|fotó|bild|zdjęcie|picture|"
    r"photo credit|credit)\s*:\s*(.+)$",
    re.I,
)
_MAX_DATE_LINE = 60
_MAX_CREDIT_LINE = 300
# Two different defaults: a component that differs between the two parses was not in the line.
_DEFAULT_A = datetime(2001, 1, 1, 0, 0)
_DEFAULT_B = datetime(2002, 2, 2, 0, 0)


@dataclass
class _Draft:
    title: str
    teaser: bool
    date: datetime | None = None
    date_problem: tuple[int, str] | None = None
    category: str | None = None
    credit: str | None = None
    in_head: bool = True
    paragraphs: list[list[str]] = field(default_factory=list)
    open_paragraph: bool = False

    def add_line(self, line: str) -> None:
        if not self.open_paragraph:
            self.paragraphs.append([])
            self.open_paragraph = True
        self.paragraphs[-1].append(line)

    def to_dict(self) -> dict[str, object]:
        body = "\n\n".join("\n".join(lines) for lines in self.paragraphs)
        return {
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "body": body,
            "category": self.category,
            "credit": self.credit,
            "teaser": self.teaser,
            "source": SOURCE,
        }


def read_pagetext(data: bytes, name: str) -> Iterator[Parsed | Problem]:
    """Yield the page's main article and each teaser; a bad date rejects only its article."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        yield Problem(f"{name}:{line}", f"invalid UTF-8: byte 0x{data[exc.start]:02x}")
        return
    if "\x00" in text:
        yield Problem(name, "binary data (NUL bytes), not page text")
        return
    drafts = split_page(re.split(r"\r\n|\r|\n", text))
    if not drafts:
        yield Problem(name, "no article found in the page text")
    for draft in drafts:
        if draft.date_problem:
            lineno, reason = draft.date_problem
            yield Problem(f"{name}:{lineno}", f"{reason} (article {draft.title[:80]!r})")
        else:
            yield make_article(draft.to_dict(), name)


def split_page(lines: list[str]) -> list[_Draft]:
    """Walk the lines once, starting a draft at the title and at each teaser's title."""
    drafts: list[_Draft] = []
    current: _Draft | None = None
    in_teasers = False
    for index, raw in enumerate(lines):
        line = raw.strip()
        marker = " ".join(line.casefold().split())
        if marker in _PAGE_END:
            break
        if marker in _TEASERS_START:
            in_teasers, current = True, None
            continue
        if not line:
            if current:
                current.open_paragraph = False
            continue
        if in_teasers:
            following = lines[index + 1].strip() if index + 1 < len(lines) else ""
            if classify_date(following) is not None:
                current = _Draft(title=line, teaser=True)
                drafts.append(current)
                continue
        elif current is None:
            if not _MARKUP_REMNANT.match(line):
                current = _Draft(title=line, teaser=False)
                drafts.append(current)
            continue
        if current is not None:
            _add(current, line, index + 1)
    return drafts


def _add(draft: _Draft, line: str, lineno: int) -> None:
    """Metadata lines fill the draft's fields while in its head; anything else is body."""
    credit = _CREDIT.match(line) if len(line) <= _MAX_CREDIT_LINE else None
    if credit:
        draft.credit = draft.credit or credit.group(1).strip()
        return
    if draft.in_head:
        category = _CATEGORY.match(line)
        if category:
            draft.category = draft.category or category.group(1).strip() or None
            return
        date = classify_date(line)
        if isinstance(date, datetime) and draft.date is None and not draft.date_problem:
            draft.date = date
            return
        if isinstance(date, str) and draft.date is None and not draft.date_problem:
            draft.date_problem = (lineno, date)
            return
        draft.in_head = False
    draft.add_line(line)


def classify_date(line: str) -> datetime | str | None:
    """A datetime if the whole line is a date with year, month and day (like "June 19, 2017
    12:17"); a reason if it is shaped like one but impossible (February 30); else None."""
    if not line or len(line) > _MAX_DATE_LINE or not any(c.isdigit() for c in line):
        return None
    try:
        first = parse_datetime(line, default=_DEFAULT_A)
        second = parse_datetime(line, default=_DEFAULT_B)
    except ParserError as exc:
        message = str(exc).split(":", 1)[0]
        if "out of range" in message or "must be in" in message:
            return f"impossible date {line!r}: {message}"
        return None
    except (ValueError, OverflowError, TypeError):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None
    return first
