"""Article -> Whoosh document fields. Pure functions, run in worker processes.

Text is analyzed here (not by Whoosh inside the writer) so the expensive
part of indexing runs in parallel; Whoosh receives ready term lists.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from index.records import Article
from search.analysis import analyze, fold_value
from search.schema import ENTITY_FIELDS, pack_record, spelling_term


def content_hash(record: dict[str, Any]) -> str:
    raw = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


def _folded(kind: str, values: list[str], spellings: list[str]) -> list[str]:
    """Folded index terms for one facet; records each value's display spelling."""
    out: list[str] = []
    for value in values:
        term = fold_value(value)
        if term and term not in out:
            out.append(term)
            spellings.append(spelling_term(kind, term, value))
    return out


def article_fields(article: Article) -> dict[str, Any]:
    """Every field of the schema for one article (terms pre-analyzed)."""
    record = article.to_dict()
    spellings: list[str] = []
    fields: dict[str, Any] = {
        "id": article.id,
        "match_key": article.match_key,
        "content_hash": content_hash(record),
        "title": analyze(article.title),
        "body": analyze(article.body),
        "tag": _folded("tag", article.tags, spellings),
        "teaser": article.teaser,
        "record": pack_record(record),
    }
    for kind in ENTITY_FIELDS:
        fields[kind] = _folded(kind, article.entities.get(kind, []), spellings)
    if article.category:
        fields["category"] = _folded("category", [article.category], spellings)
    if article.date:
        fields["date"] = article.date
        fields["year"] = str(article.date.year)
    for name in ("source", "language", "url"):
        value = getattr(article, name)
        if value:
            fields[name] = value
    fields["spelling"] = spellings
    return fields
