"""The one index schema. `index/` writes it, `search/` reads it.

Title and body are indexed with positions (phrases) from pre-analyzed term
lists; their text is stored once, compressed, inside `record` (the whole
article as JSON), which keeps the index small and makes `export` lossless.
Facet fields hold folded values (case- and accent-insensitive matching); the
display spellings are in `spelling` (see below) and in `record`.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, STORED, TEXT, SchemaClass

from search.analysis import TEXT_ANALYZER

# Bump when the schema or the analysis changes: older indexes must be rebuilt.
SCHEMA_VERSION = 5  # 3: per-language analysis (Russian stemming, й kept, ё as е); 4: other_script;
# 5: English stems by Snowball's own stemmer (PyStemmer)
TEXT_FIELDS = ("title", "body")
FACET_FIELDS = ("person", "organization", "place", "category", "tag", "year")
ENTITY_FIELDS = ("person", "organization", "place")
TITLE_BOOST = 2.5
# The other-script spellings of an article's entities (search.scripts): a plain word
# matches them as it matches title and body, so `Путин` finds English articles on Putin.
OTHER_SCRIPT_FIELD = "other_script"


def _facet_field() -> KEYWORD:
    # Values arrive as lists of already folded terms; `scorable` lets entity
    # matches contribute to BM25F.
    return KEYWORD(scorable=True)


class ArticleSchema(SchemaClass):
    id = ID(unique=True, stored=True)
    match_key = ID()  # normalized title + minute: pairs a teaser with its full article
    content_hash = STORED()  # unchanged re-ingests are skipped
    title = TEXT(analyzer=TEXT_ANALYZER, field_boost=TITLE_BOOST)
    body = TEXT(analyzer=TEXT_ANALYZER)
    person = _facet_field()
    organization = _facet_field()
    place = _facet_field()
    other_script = TEXT(analyzer=TEXT_ANALYZER)
    category = _facet_field()
    tag = _facet_field()
    year = ID()
    # "kind\tfolded\tDisplay Spelling" per facet value: the lexicon's document
    # frequencies give each value's most frequent spelling without reading records.
    spelling = KEYWORD()
    date = DATETIME(sortable=True)
    teaser = BOOLEAN()
    source = ID()
    language = ID()
    record = STORED()  # zlib-compressed JSON of the whole article


def spelling_term(kind: str, folded: str, display: str) -> str:
    return f"{kind}\t{folded}\t{display}"


def record_json(record: dict[str, Any]) -> bytes:
    """The compact JSON of an interchange record (what `record` holds, compressed)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def pack_record(raw: bytes) -> bytes:
    """Compress `record_json` output for the `record` stored field. zlib level 1 rather
    than 6: 30% less ingest time for 2% more bytes on Reuters."""
    return zlib.compress(raw, 1)


def unpack_record(blob: bytes) -> dict[str, Any]:
    return json.loads(zlib.decompress(blob))
