"""The article record: the one shape every reader produces and the writer indexes.

Validation lives here so every source format fails the same way, with the same
messages, and so ids are derived the same way whatever the input.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dateutil.parser import isoparse

from search import limits
from search.languages import normalize_language

ENTITY_KINDS = ("person", "organization", "place")
_ID = re.compile(limits.ID_PATTERN)
MAX_FIELD_CHARS = 2_000_000  # one field; larger is a per-record error, not a crash
_PUNCT_OR_SPACE = re.compile(r"[\W_]+", re.UNICODE)
_TEXT_FIELDS = ("url", "category", "credit", "source", "language")


class RecordError(ValueError):
    """A record that cannot be indexed; the message says which field and why."""


@dataclass
class Article:
    """One article, as in the README's interchange format ("Input formats")."""

    id: str
    title: str = ""
    body: str = ""
    date: datetime | None = None
    url: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    entities: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in ENTITY_KINDS})
    credit: str | None = None
    teaser: bool = False
    source: str | None = None
    language: str | None = None
    # kind -> entity value -> its spelling in the other script (index.entities.scripts)
    other_script: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def match_key(self) -> str:
        """A digest of normalized title + date to the minute: a teaser and its full
        article share it (a digest keeps the index term short)."""
        key = match_key(self.title, self.date)
        return hashlib.blake2b(key.encode("utf-8"), digest_size=10).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """The interchange form (what `export` writes and `ingest` reads back);
        `other_script` only when there is one (older records keep their hash)."""
        record = {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "date": format_date(self.date),
            "body": self.body,
            "category": self.category,
            "tags": list(self.tags),
            "entities": {k: list(self.entities.get(k, [])) for k in ENTITY_KINDS},
            "credit": self.credit,
            "teaser": self.teaser,
            "source": self.source,
            "language": self.language,
        }
        if self.other_script:
            record["other_script"] = {k: dict(v) for k, v in self.other_script.items()}
        return record


def normalize_title(title: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a title."""
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _PUNCT_OR_SPACE.sub(" ", text).strip()


def match_key(title: str, date: datetime | None) -> str:
    minute = date.strftime("%Y-%m-%dT%H:%M") if date else ""
    return f"{normalize_title(title)}|{minute}"


def derive_id(url: str | None, title: str, date: datetime | None) -> str:
    """A short stable id: a hash of the URL, else of the normalized title and minute."""
    basis = url.strip() if url and url.strip() else match_key(title, date)
    return hashlib.blake2b(basis.encode("utf-8"), digest_size=8).hexdigest()


def parse_date(value: Any) -> datetime | None:
    """ISO 8601 to a naive datetime: an offset is converted to UTC, a naive date kept as given."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = isoparse(value.strip())
        except (ValueError, OverflowError) as exc:
            raise RecordError(f"date: {value!r} is not an ISO 8601 date ({exc})") from None
    else:
        raise RecordError(f"date: expected an ISO 8601 string, got {type(value).__name__}")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    if not 1 <= parsed.year <= 9999:
        raise RecordError(f"date: year {parsed.year} is out of range")
    return parsed.replace(microsecond=0)


def format_date(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _text(name: str, value: Any, required: bool = False) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{name}: expected a string, got {type(value).__name__}")
    if len(value) > MAX_FIELD_CHARS:
        raise RecordError(f"{name}: {len(value):,} characters, more than {MAX_FIELD_CHARS:,}")
    return clean_text(value)


# Every code point of Unicode category Cc (U+0000-U+001F, U+007F-U+009F) except \t and \n.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """Drop control characters (keeping newlines and tabs) and NFC-normalize."""
    value = _CONTROL_CHARS.sub("", value)
    if not value.isascii():  # ASCII is already NFC
        value = unicodedata.normalize("NFC", value)
    return value.strip()


def _string_list(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise RecordError(f"{name}: expected a list of strings, got {type(value).__name__}")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise RecordError(f"{name}: expected strings, got {type(item).__name__}")
        item = " ".join(clean_text(item).split())
        if item and len(item) <= 200 and item not in out:
            out.append(item)
    return out


def _entities(value: Any) -> dict[str, list[str]]:
    if value is None:
        return {k: [] for k in ENTITY_KINDS}
    if not isinstance(value, dict):
        raise RecordError(f"entities: expected an object, got {type(value).__name__}")
    unknown = sorted(set(value) - set(ENTITY_KINDS))
    if unknown:
        raise RecordError(f"entities: unknown kind {unknown[0]!r} (use {', '.join(ENTITY_KINDS)})")
    return {k: _string_list(f"entities.{k}", value.get(k)) for k in ENTITY_KINDS}


def _other_script(value: Any) -> dict[str, dict[str, str]]:
    """{kind: {value: other-script spelling}}, both strings of at most 200 characters."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"other_script: expected an object, got {type(value).__name__}")
    out: dict[str, dict[str, str]] = {}
    for kind, pairs in value.items():
        if kind not in ENTITY_KINDS:
            kinds = ", ".join(ENTITY_KINDS)
            raise RecordError(f"other_script: unknown kind {kind!r} (use {kinds})")
        if not isinstance(pairs, dict):
            raise RecordError(f"other_script.{kind}: expected an object of value: spelling")
        for name, other in pairs.items():
            if not isinstance(other, str):
                raise RecordError(f"other_script.{kind}.{name}: expected a string")
            name, other = (" ".join(clean_text(s).split()) for s in (name, other))
            if name and other and len(name) <= 200 and len(other) <= 200:
                out.setdefault(kind, {})[name] = other
    return out


def article_from_dict(data: Any) -> Article:
    """Validate one interchange record; raise RecordError naming the field at fault."""
    if not isinstance(data, dict):
        raise RecordError(f"expected a JSON object, got {type(data).__name__}")
    title = _text("title", data.get("title")) or ""
    body = _text("body", data.get("body")) or ""
    if not title and not body:
        raise RecordError("record has neither title nor body")
    date = parse_date(data.get("date"))
    texts = {name: _text(name, data.get(name)) or None for name in _TEXT_FIELDS}
    texts["language"] = normalize_language(texts["language"])  # "ru-RU" -> "ru"; junk: detected
    teaser = data.get("teaser", False)
    if teaser is None:
        teaser = False
    if not isinstance(teaser, bool):
        raise RecordError(f"teaser: expected true or false, got {teaser!r}")
    given_id = data.get("id")
    if given_id is None or given_id == "":
        article_id = derive_id(texts["url"], title, date)
    elif isinstance(given_id, str | int) and not isinstance(given_id, bool):
        article_id = str(given_id)
        if not _ID.fullmatch(article_id):
            raise RecordError(f"id: {article_id[:80]!r} does not match {limits.ID_PATTERN}")
    else:
        raise RecordError(f"id: expected a string, got {type(given_id).__name__}")
    return Article(
        id=article_id,
        title=title,
        body=body,
        date=date,
        tags=_string_list("tags", data.get("tags")),
        entities=_entities(data.get("entities")),
        other_script=_other_script(data.get("other_script")),
        teaser=teaser,
        **texts,
    )
