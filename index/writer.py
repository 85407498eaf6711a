"""The index writer: batches, one writer at a time, teaser rule, idempotent updates.

This process reads the input, decides add / update / skip for each article
(before any work is done on it) and hands the articles to worker processes,
each of which extracts entities, analyzes the text and writes one new segment
per batch (more if the batch outgrows `limitmb`; index/segments.py, codec.py).
At the end of a batch this process deletes the replaced documents and commits
the new segments together in one TOC write: a killed ingest leaves the last
committed generation (files of uncommitted segments are removed at the next
commit) and a rerun finishes the work (unchanged articles are recognized by
hash).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

from whoosh.writing import SegmentWriter

from index import segments
from index.batch import Batch, IngestReport, ingest_lock
from index.documents import article_fields, content_hash
from index.readers import Notice, Parsed, Problem
from index.records import Article
from index.segments import CHUNK, POOL_THRESHOLD
from index.storage import open_or_create_index
from search.languages import article_language
from search.schema import record_json

BATCH_SIZE = 10_000


def settings_fingerprint(extract: bool) -> str:
    """What besides the input shapes a document: the extraction flag, model and aliases."""
    if not extract:
        return "extract=0"
    from index.entities.tagger import model_path
    from search.aliases import alias_files

    digest = hashlib.blake2b(b"extract=1", digest_size=12)
    for place, path in enumerate([model_path(), *alias_files()]):
        # The files' contents, not their paths: the same install in another folder must
        # not make the next ingest rewrite every article.
        digest.update(b"%d\0" % place)
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"(unreadable)")
    return "extract=1:" + digest.hexdigest()


def prepare_many(payloads: list[tuple]) -> list[dict | Problem]:
    """Worker side, a chunk of (where, article, hash, extract, settings): the language when
    the source gave none, entities (the chunk's extracted together: far cheaper per
    article), then every field's terms. An error becomes its own article's Problem."""
    staged: list[tuple[Article, str, str | None] | Problem] = []
    for where, article, hashed, _extract, settings in payloads:
        try:
            raw = record_json(article.to_dict())
            hashed = hashed or content_hash(raw, settings)
            if article.language is None:
                language = article_language(article.title, article.body)
                article = dataclasses.replace(article, language=language)
                raw = None
            staged.append((article, hashed, raw))
        except Exception as exc:  # one bad article must not stop the batch
            staged.append(_problem(where, article, exc))
    wanted = [i for i, p in enumerate(payloads) if p[3] and not isinstance(staged[i], Problem)]
    for i, enriched in zip(wanted, _enriched([staged[i][0] for i in wanted]), strict=True):
        article, hashed, _ = staged[i]
        if isinstance(enriched, Exception):
            staged[i] = _problem(payloads[i][0], article, enriched)
        else:
            staged[i] = (enriched, hashed, None)
    out: list[dict | Problem] = []
    for (where, *_), item in zip(payloads, staged, strict=True):
        try:
            out.append(item if isinstance(item, Problem) else article_fields(*item))
        except Exception as exc:
            out.append(_problem(where, item[0], exc))
    return out


def _enriched(articles: list[Article]) -> list[Article | Exception]:
    """`enrich_many`; where that fails, each article alone, so only the bad one fails."""
    from index.entities import enrich, enrich_many

    try:
        return enrich_many(articles)
    except Exception:
        out: list[Article | Exception] = []
        for article in articles:
            try:
                out.append(enrich(article))
            except Exception as exc:
                out.append(exc)
        return out


def _problem(where: str, article: Article, exc: Exception) -> Problem:
    return Problem(where or article.id, f"could not prepare the article: {exc}")


def _parsed_only(items: Iterable[Parsed | Problem], report: IngestReport) -> Iterator[Parsed]:
    for item in items:
        if isinstance(item, Problem):
            report.failed.append(item)
        elif isinstance(item, Notice):
            report.warnings.append(item)
        else:
            report.warnings.extend(Notice(item.where, notice) for notice in item.notices)
            yield item


def ingest(
    index_dir: str | os.PathLike,
    items: Iterable[Parsed | Problem],
    *,
    extract: bool = True,
    batch_size: int = BATCH_SIZE,
    lock_timeout: float = 300.0,
    workers: int | None = None,
    on_wait: Callable[[str], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    limitmb: int = 256,
    consolidate: bool = True,
) -> IngestReport:
    """Ingest parsed articles (and record problems) into the index at `index_dir`.

    After an ingest with extraction that changed anything, the archive's entity
    values are consolidated (`index.consolidation`) unless `consolidate` is False.
    """
    index_dir = Path(index_dir)
    report = IngestReport()
    with ingest_lock(index_dir, lock_timeout, on_wait):
        ix = open_or_create_index(index_dir)
        report.generation = ix.latest_generation()
        settings = settings_fingerprint(extract)
        stream = _parsed_only(items, report)
        head = list(islice(stream, POOL_THRESHOLD))
        pool = segments.pool(str(index_dir), len(head), prepare_many, limitmb, workers)
        try:
            _run(
                ix,
                chain(head, stream),
                pool,
                extract,
                settings,
                batch_size,
                limitmb,
                report,
                on_progress,
            )
        finally:
            pool.close()
    if extract and consolidate and (report.added or report.updated):
        from index.consolidation import consolidate_index

        done = consolidate_index(
            index_dir, lock_timeout=lock_timeout, on_wait=on_wait, limitmb=limitmb
        )
        report.generation = done.generation
    return report


def _run(ix, stream, pool, extract, settings, batch_size, limitmb, report, on_progress) -> None:
    done = 0
    batch_size = max(1, batch_size)
    while True:
        with ix.searcher() as searcher:
            batch = Batch(searcher, settings)
            outgoing: list[tuple[int, Any]] = []
            count = 0
            for parsed in islice(stream, batch_size):
                count += 1
                decided = batch.decide(parsed.article, report)
                if decided is None:
                    continue
                seq, hashed = decided
                outgoing.append((seq, (parsed.where, parsed.article, hashed, extract, settings)))
                if len(outgoing) >= CHUNK:
                    pool.send(outgoing)
                    outgoing = []
            if outgoing:
                pool.send(outgoing)
            if not count:
                return
            following = next(stream, None)  # is this the last batch?
            if following is not None:
                stream = chain([following], stream)
            results = pool.finish()
        generation = batch.commit(ix, results, report, limitmb, last=following is None)
        if generation is not None:
            report.generation = generation
        done += count
        if on_progress:
            on_progress(done)


def delete(index_dir: str | os.PathLike, ids: Iterable[str], lock_timeout: float = 300.0) -> int:
    """Delete articles by id; returns how many existed."""
    index_dir = Path(index_dir)
    with ingest_lock(index_dir, lock_timeout, None):
        ix = open_or_create_index(index_dir)
        writer = SegmentWriter(ix, timeout=10.0)
        count = 0
        for article_id in dict.fromkeys(ids):
            count += writer.delete_by_term("id", article_id)
        writer.commit(merge=False)
        return count
