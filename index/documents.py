"""Article -> Whoosh document fields. Pure functions, run in worker processes.

Text is analyzed here (not by Whoosh inside the writer) so the expensive
part of indexing runs in parallel; Whoosh receives ready term lists.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from index.records import Article
from search.analysis import analyze, fold_value
from search.schema import (
    ENTITY_FIELDS,
    OTHER_SCRIPT_FIELD,
    pack_record,
    record_json,
    spelling_term,
)
from search.scripts import facet_identity


def _day(value: datetime) -> datetime:
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


# Fields whose index terms are taken from a coarser value than the one stored in
# their column. `date`: the search side filters and sorts on the column (full
# precision) and never reads date terms; every date bound the API accepts is a
# whole day, month or year, so day-precision terms answer any such range query
# exactly while the index holds a few thousand date terms instead of one per
# article and trie level (about 8 MB of the 16.7 MB Reuters index budget).
INDEXED_AS = {"date": _day}


def content_hash(raw: bytes, settings: str = "") -> str:
    """Hash of a validated input record (`record_json`) and the settings that shape its document.

    `settings` is the extraction fingerprint (index.writer.settings_fingerprint):
    the hash is taken before entity extraction, so changing the model or the
    aliases must change it.
    """
    return hashlib.blake2b(raw + b"\0" + settings.encode("utf-8"), digest_size=12).hexdigest()


def input_hash(article: Article, settings: str = "") -> str:
    """The content hash of an article as read (before entity extraction)."""
    return content_hash(record_json(article.to_dict()), settings)


def _folded(
    kind: str, values: list[str], spellings: list[str], other: dict[str, str] | None = None
) -> list[str]:
    """Folded index terms for one facet; records each value's display spelling. A value
    with an `other` script spelling is indexed as the pair's Latin one (search.scripts)."""
    out: list[str] = []
    for value in values:
        term = fold_value(facet_identity(value, other.get(value)) if other else value)
        if term and term not in out:
            out.append(term)
            spellings.append(spelling_term(kind, term, value))
    return out


def article_fields(
    article: Article, hashed: str | None = None, raw: bytes | None = None
) -> dict[str, Any]:
    """Every field of the schema for one article (terms pre-analyzed).

    `hashed` is the article's content hash, taken before enrichment (`input_hash`);
    without it the hash of `article` itself is used. `raw` is `record_json` of
    `article.to_dict()` when the caller has it already.
    """
    record = article.to_dict()
    raw = raw if raw is not None else record_json(record)
    spellings: list[str] = []
    fields: dict[str, Any] = {
        "id": article.id,
        "match_key": article.match_key,
        "content_hash": hashed or content_hash(raw),
        "title": analyze(article.title, article.language),
        "body": analyze(article.body, article.language),
        "tag": _folded("tag", article.tags, spellings),
        "teaser": article.teaser,
        "record": pack_record(raw),
    }
    for kind in ENTITY_FIELDS:
        other = article.other_script.get(kind)
        fields[kind] = _folded(kind, article.entities.get(kind, []), spellings, other)
    if article.other_script:  # searchable: `Путин` finds the English articles on Putin
        names = [s for pairs in article.other_script.values() for s in pairs.values()]
        fields[OTHER_SCRIPT_FIELD] = analyze("\n".join(names))
    if article.category:
        fields["category"] = _folded("category", [article.category], spellings)
    if article.date:
        fields["date"] = article.date
        fields["year"] = str(article.date.year)
    for name in ("source", "language"):
        value = getattr(article, name)
        if value:
            fields[name] = value
    fields["spelling"] = spellings
    return fields
