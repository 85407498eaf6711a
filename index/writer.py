"""The index writer: batches, one writer at a time, teaser rule, idempotent updates.

Articles are analyzed (and their entities extracted) in worker processes;
this process only decides add / update / skip and feeds Whoosh. Each batch is
one Whoosh commit, so a killed ingest leaves the last committed generation
and a rerun finishes the work (unchanged articles are recognized by hash).
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any

from whoosh.writing import SegmentWriter

from index.documents import article_fields
from index.readers import Parsed, Problem
from index.records import Article
from search.schema import unpack_record
from search.storage import open_or_create_index

BATCH_SIZE = 10_000
POOL_THRESHOLD = 200  # fewer articles than this are prepared in-process
LOCK_FILE = "ingest.lock"


class LockTimeout(Exception):
    """Another ingest held the index for longer than --lock-timeout."""


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    teasers_skipped: int = 0
    failed: list[Problem] = field(default_factory=list)
    generation: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"teasers skipped {self.teasers_skipped}, failed {len(self.failed)}"
        )


@dataclass
class _Prepared:
    where: str
    article: Article
    fields: dict[str, Any]


def prepare(item: tuple[Parsed, bool]) -> _Prepared | Problem:
    """Worker side: entities, then every field's terms. Errors become Problems."""
    parsed, extract = item
    try:
        article = parsed.article
        if extract:
            from index.entities import enrich

            article = enrich(article)
        return _Prepared(parsed.where, article, article_fields(article))
    except Exception as exc:  # one bad article must not stop the batch
        return Problem(parsed.where, f"could not prepare the article: {exc}")


@contextmanager
def ingest_lock(index_dir: Path, timeout: float, on_wait: Callable[[str], None] | None):
    """Hold the folder's ingest lock for the whole run (released by the OS on a crash)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_FILE, "a+") as handle:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"another ingest has held {index_dir} for more than {timeout:g} s; "
                        f"try again later or raise --lock-timeout"
                    ) from None
                if not told and on_wait:
                    on_wait(f"waiting for another ingest to finish with {index_dir} ...")
                    told = True
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _prepared_stream(
    items: Iterable[Parsed | Problem], extract: bool, report: IngestReport, workers: int
) -> Iterator[_Prepared | Problem]:
    """Prepare articles, in a process pool when the input is large enough to pay for it."""

    def parsed_only(source: Iterable[Parsed | Problem]) -> Iterator[tuple[Parsed, bool]]:
        for item in source:
            if isinstance(item, Problem):
                report.failed.append(item)
            else:
                yield item, extract

    stream = parsed_only(items)
    head = list(islice(stream, POOL_THRESHOLD))
    if len(head) < POOL_THRESHOLD or workers <= 1:
        yield from map(prepare, chain(head, stream))
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        yield from pool.imap(prepare, chain(head, stream), chunksize=32)


class _Batch:
    """One commit's worth of decisions, keyed by id so the last version of an id wins."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.docs: dict[str, _Prepared] = {}
        self.replace: set[str] = set()  # committed ids to delete before adding

    def _committed_record(self, article_id: str) -> tuple[str, bool] | None:
        docnum = self.searcher.document_number(id=article_id)
        if docnum is None:
            return None
        stored = self.searcher.stored_fields(docnum)
        return stored["content_hash"], unpack_record(stored["record"])["teaser"]

    def _committed_same_key(self, key: str) -> list[tuple[str, bool]]:
        out = []
        for docnum in self.searcher.document_numbers(match_key=key):
            stored = self.searcher.stored_fields(docnum)
            out.append((stored["id"], unpack_record(stored["record"])["teaser"]))
        return out

    def decide(self, doc: _Prepared, report: IngestReport) -> None:
        article = doc.article
        key = doc.fields["match_key"]
        pending = self.docs.get(article.id)
        committed = None if pending else self._committed_record(article.id)
        same_key = [(i, d.article.teaser) for i, d in self.docs.items()
                    if d.fields["match_key"] == key and i != article.id]
        same_key += [(i, t) for i, t in self._committed_same_key(key)
                     if i != article.id and i not in self.replace]
        if article.teaser and (
            any(not teaser for _, teaser in same_key)
            or (pending and not pending.article.teaser)
            or (committed and not committed[1])
        ):
            report.teasers_skipped += 1
            return
        if committed and committed[0] == doc.fields["content_hash"]:
            report.unchanged += 1
            return
        if not article.teaser:
            for other_id, teaser in same_key:
                if teaser:  # the full text replaces its teaser
                    self.replace.add(other_id)
                    self.docs.pop(other_id, None)
        if pending or committed:
            report.updated += 1
            if committed:
                self.replace.add(article.id)
        else:
            report.added += 1
        self.docs[article.id] = doc

    def write(self, ix, limitmb: int) -> int | None:
        """Commit this batch; return the new generation, or None when nothing changed."""
        if not self.docs and not self.replace:
            return None
        writer = SegmentWriter(ix, limitmb=limitmb, timeout=10.0)
        try:
            for article_id in self.replace:
                writer.delete_by_term("id", article_id)
            for doc in self.docs.values():
                writer.add_document(**doc.fields)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return ix.latest_generation()


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
) -> IngestReport:
    """Ingest parsed articles (and record problems) into the index at `index_dir`."""
    index_dir = Path(index_dir)
    report = IngestReport()
    workers = workers or os.cpu_count() or 1
    with ingest_lock(index_dir, lock_timeout, on_wait):
        ix = open_or_create_index(index_dir)
        report.generation = ix.latest_generation()
        stream = _prepared_stream(items, extract, report, workers)
        done = 0
        while True:
            chunk = list(islice(stream, batch_size))
            if not chunk:
                break
            with ix.searcher() as searcher:
                batch = _Batch(searcher)
                for doc in chunk:
                    if isinstance(doc, Problem):
                        report.failed.append(doc)
                    else:
                        batch.decide(doc, report)
            generation = batch.write(ix, limitmb)
            if generation is not None:
                report.generation = generation
            done += len(chunk)
            if on_progress:
                on_progress(done)
    return report


def delete(index_dir: str | os.PathLike, ids: Iterable[str], lock_timeout: float = 300.0) -> int:
    """Delete articles by id; returns how many existed."""
    index_dir = Path(index_dir)
    with ingest_lock(index_dir, lock_timeout, None):
        ix = open_or_create_index(index_dir)
        writer = SegmentWriter(ix, timeout=10.0)
        count = 0
        for article_id in dict.fromkeys(ids):
            count += writer.delete_by_term("id", article_id)
        writer.commit()
        return count
