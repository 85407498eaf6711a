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

import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any

from whoosh.writing import SegmentWriter

from index.documents import article_fields, content_hash, input_hash
from index.readers import Notice, Parsed, Problem
from index.records import Article
from index.segments import SegmentSeries, Workers
from search.schema import record_json, unpack_record
from search.storage import open_or_create_index

BATCH_SIZE = 10_000
POOL_THRESHOLD = 200  # fewer articles than this are prepared in-process
MAX_SEGMENTS = 8  # more than this after a commit: small segments are merged
CHUNK = 64  # articles per message to a worker
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
    warnings: list[Notice] = field(default_factory=list)
    generation: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"teasers skipped {self.teasers_skipped}, failed {len(self.failed)}"
        ) + (f", warnings {len(self.warnings)}" if self.warnings else "")


def settings_fingerprint(extract: bool) -> str:
    """What besides the input shapes a document: the extraction flag, model and aliases."""
    if not extract:
        return "extract=0"
    from index.entities.aliases import ENV as ALIASES_ENV
    from index.entities.aliases import SHIPPED_PATH
    from index.entities.tagger import MODEL_ENV, MODEL_PATH

    digest = hashlib.blake2b(b"extract=1", digest_size=12)
    extra = os.environ.get(ALIASES_ENV)
    files = [Path(os.environ.get(MODEL_ENV) or MODEL_PATH), SHIPPED_PATH]
    for path in files + ([Path(extra)] if extra else []):
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"(unreadable)")
    return "extract=1:" + digest.hexdigest()


def prepare(item: tuple[Article, str | None, bool, str], where: str = "") -> dict | Problem:
    """Worker side: entities, then every field's terms. Errors become Problems."""
    article, hashed, extract, settings = item
    try:
        raw = record_json(article.to_dict())
        hashed = hashed or content_hash(raw, settings)
        if extract:
            from index.entities import enrich

            article = enrich(article)
            raw = None
        return article_fields(article, hashed, raw)
    except Exception as exc:  # one bad article must not stop the batch
        return Problem(where or article.id, f"could not prepare the article: {exc}")


def _prepare_payload(payload: tuple) -> dict | Problem:
    where, *item = payload
    return prepare(tuple(item), where)


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


@dataclass
class _Pending:
    seq: int
    teaser: bool
    key: str


class _Batch:
    """One commit's worth of decisions, keyed by id so the last version of an id wins.

    Articles are handed on as soon as they are decided; one that a later article
    of the same batch supersedes (same id, or the full text of a pending teaser)
    is `retracted`: its document is marked deleted in the new segment at commit.
    """

    def __init__(self, searcher, settings: str):
        self.searcher = searcher
        self.settings = settings
        self.docs: dict[str, _Pending] = {}
        self.by_key: dict[str, dict[str, bool]] = {}  # match_key -> {pending id: teaser}
        self.replace: set[str] = set()  # committed ids to delete
        self.retracted: set[int] = set()
        self.seq = 0

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

    def _retract(self, article_id: str) -> None:
        pending = self.docs.pop(article_id, None)
        if pending is not None:
            self.retracted.add(pending.seq)
            del self.by_key[pending.key][article_id]

    def decide(self, article: Article, report: IngestReport) -> tuple[int, str | None] | None:
        """(sequence number, content hash if computed) of an article to write, or None."""
        article_id = article.id
        key = article.match_key
        pending = self.docs.get(article_id)
        committed = None if pending else self._committed_record(article_id)
        same_key = [(i, t) for i, t in self.by_key.get(key, {}).items() if i != article_id]
        same_key += [
            (i, t)
            for i, t in self._committed_same_key(key)
            if i != article_id and i not in self.replace
        ]
        if article.teaser and (
            any(not teaser for _, teaser in same_key)
            or (pending and not pending.teaser)
            or (committed and not committed[1])
        ):
            report.teasers_skipped += 1
            return None
        hashed = None
        if committed:
            hashed = input_hash(article, self.settings)
            if committed[0] == hashed:
                report.unchanged += 1
                return None
        if not article.teaser:
            for other_id, teaser in same_key:
                if teaser:  # the full text replaces its teaser
                    self.replace.add(other_id)
                    self._retract(other_id)
        if pending or committed:
            report.updated += 1
            if committed:
                self.replace.add(article_id)
            self._retract(article_id)
        else:
            report.added += 1
        self.seq += 1
        self.docs[article_id] = _Pending(self.seq, article.teaser, key)
        self.by_key.setdefault(key, {})[article_id] = article.teaser
        return self.seq, hashed

    def commit(self, ix, results, report: IngestReport, limitmb: int, last: bool) -> int | None:
        """Delete what was replaced, add the new segments: one TOC write. None if no change.

        Small segments are merged at the end of an ingest when there are more
        than MAX_SEGMENTS, and during it only when there are far too many.
        """
        segments = []
        for built, problems in results:
            report.failed.extend(problems)
            for segment, seqs in built:
                dead = [n for n, seq in enumerate(seqs) if seq in self.retracted]
                if len(dead) == len(seqs):
                    continue  # its files are removed as orphans by this commit
                for docnum in dead:
                    segment.delete_document(docnum)
                segments.append(segment)
        if not segments and not self.replace:
            return None
        writer = SegmentWriter(ix, limitmb=limitmb, timeout=10.0)
        try:
            for article_id in self.replace:
                writer.delete_by_term("id", article_id)
            final = writer.segments + segments
            if len(final) > (MAX_SEGMENTS if last else 4 * MAX_SEGMENTS):
                final = _merge_smallest(writer, final)
            if writer._added:
                final.append(writer._finalize_segment())
            else:
                writer._close_segment()
            writer._commit_toc(final)
        except BaseException:
            writer.cancel()
            raise
        writer._finish()
        return ix.latest_generation()


def _merge_smallest(writer, segments):
    """The smaller half of `segments` (and enough to leave MAX_SEGMENTS) go into `writer`."""
    from whoosh.reading import SegmentReader

    if len(segments) < 2:
        return segments
    order = sorted(segments, key=lambda s: s.doc_count())
    merge = order[: max(2, len(order) // 2, len(order) - MAX_SEGMENTS + 1)]
    for segment in merge:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    merged = {id(s) for s in merge}
    return [s for s in segments if id(s) not in merged]


class _InProcess:
    """The Workers interface for small inputs: one SegmentSeries, in this process."""

    def __init__(self, index_dir: str, limitmb: int):
        self.series = SegmentSeries(index_dir, limitmb)

    def send(self, docs: list[tuple[int, Any]]) -> None:
        for seq, payload in docs:
            fields = _prepare_payload(payload)
            if isinstance(fields, Problem):
                self.series.problems.append(fields)
            else:
                self.series.add(seq, fields)

    def finish(self):
        return [self.series.finish()]

    def close(self) -> None:
        self.series.cancel()


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
) -> IngestReport:
    """Ingest parsed articles (and record problems) into the index at `index_dir`."""
    index_dir = Path(index_dir)
    report = IngestReport()
    workers = workers or os.cpu_count() or 1
    with ingest_lock(index_dir, lock_timeout, on_wait):
        ix = open_or_create_index(index_dir)
        report.generation = ix.latest_generation()
        settings = settings_fingerprint(extract)
        stream = _parsed_only(items, report)
        head = list(islice(stream, POOL_THRESHOLD))
        if len(head) < POOL_THRESHOLD or workers <= 1:
            pool: Any = _InProcess(str(index_dir), limitmb)
        else:
            pool = Workers(str(index_dir), workers, _prepare_payload, limitmb)
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
    return report


def _run(ix, stream, pool, extract, settings, batch_size, limitmb, report, on_progress) -> None:
    done = 0
    batch_size = max(1, batch_size)
    while True:
        with ix.searcher() as searcher:
            batch = _Batch(searcher, settings)
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
