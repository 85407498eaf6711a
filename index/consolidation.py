"""Archive-level entity consolidation applied to the stored documents.

Chosen over a table applied at read time: the stored values are then what
every reader sees -- facets and their counts, filters, trends, suggestions,
"more like this", article pages and `export` -- with no change on the search
side, and one article never counts twice for one entity ("Trump" and "Donald
Trump" both in it). The cost is a rewrite of the articles whose values change:
their stored records are re-analysed (never re-read from the source files) and
keep their content hash, so re-ingesting the same input still changes nothing.
Joins are one-way: should a second Trump later become common, re-ingest the
sources (extraction keeps each name as written) to let them part again.

Then one entity across scripts (`index.entities.scripts`): each article records
the other-script spelling of its joined values in `other_script`.

Runs after every ingest with extraction (`index.writer.ingest`) and on demand
(`archive-search reindex-entities`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index import segments
from index.batch import Batch, IngestReport, ingest_lock
from index.documents import article_fields
from index.entities.consolidate import Consolidation, join_article
from index.entities.scripts import CrossScript
from index.records import article_from_dict
from index.segments import CHUNK
from search.aliases import load_aliases
from search.schema import unpack_record
from search.storage import open_index


@dataclass
class ConsolidationReport:
    articles: int = 0
    rewritten: int = 0
    joins: int = 0  # entries in the archive-level table
    cross_script: int = 0  # Cyrillic values joined to a Latin one (index.entities.scripts)
    generation: int = 0

    def summary(self) -> str:
        return (
            f"consolidated entities: {self.joins} archive-level joins, "
            f"{self.cross_script} across scripts, "
            f"{self.rewritten} of {self.articles} articles rewritten"
        )


def _stored_entities(reader) -> dict[int, tuple[dict[str, list[str]], dict]]:
    """docnum -> stored entity values and other-script spellings of every live article
    (one pass, records unpacked once)."""
    out = {}
    for docnum, stored in reader.iter_docs():
        record = unpack_record(stored["record"])
        out[docnum] = (record.get("entities") or {}, record.get("other_script") or {})
    return out


def _rewritten(payloads: list[tuple[dict, str]]) -> list[dict]:
    """Worker side: the fields of stored records with their new values, re-analysed."""
    return [article_fields(article_from_dict(record), hashed) for record, hashed in payloads]


def consolidate_index(
    index_dir: str | os.PathLike,
    *,
    lock_timeout: float = 300.0,
    on_wait: Callable[[str], None] | None = None,
    limitmb: int = 256,
) -> ConsolidationReport:
    """Consolidate the archive's stored entity values; rewrite the articles that change."""
    index_dir = Path(index_dir)
    report = ConsolidationReport()
    with ingest_lock(index_dir, lock_timeout, on_wait):
        ix = open_index(index_dir)
        report.generation = ix.latest_generation()
        with ix.searcher() as searcher:
            reader = searcher.reader()
            stored = _stored_entities(reader)
            within = {docnum: join_article(entities) for docnum, (entities, _) in stored.items()}
            table = Consolidation.build_joined(within.values())
            report.articles, report.joins = len(stored), len(table)
            joined = {docnum: table.apply_joined(j) for docnum, (j, _) in within.items()}
            scripts = CrossScript.build(joined.values(), load_aliases())
            report.cross_script = len(scripts)
            changed = []
            for docnum, (entities, other_script) in stored.items():
                new, pairs = joined[docnum], scripts.pairs(joined[docnum])
                same = new == {kind: list(entities.get(kind) or []) for kind in new}
                if not same or pairs != other_script:
                    changed.append((docnum, new, pairs))
            report.rewritten = len(changed)
            batch = Batch(searcher, "")
            pool = segments.pool(str(index_dir), len(changed), _rewritten, limitmb)
            try:
                for start in range(0, len(changed), CHUNK):
                    chunk = []
                    for seq, (docnum, new, pairs) in enumerate(changed[start : start + CHUNK]):
                        fields = reader.stored_fields(docnum)
                        record = unpack_record(fields["record"])
                        record["entities"], record["other_script"] = new, pairs
                        batch.replace_docs.add(docnum)
                        chunk.append((start + seq, (record, fields["content_hash"])))
                    pool.send(chunk)
                results = pool.finish()
            finally:
                pool.close()
        if batch.replace_docs:
            generation = batch.commit(ix, results, IngestReport(), limitmb, last=True)
            report.generation = generation or report.generation
    return report
