"""One commit of the index writer: the ingest lock, the add / update / skip decisions of
one batch, and the commit that deletes what was replaced and adds the new segments in
one TOC write.

Shared by the writer (index/writer.py) and archive-level entity consolidation
(index/consolidation.py), which rewrites stored articles through the same commit.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from whoosh.writing import SegmentWriter

from index.codec import commit_segments
from index.documents import input_hash
from index.readers import Notice, Problem
from index.records import Article, normalize_title
from search.schema import unpack_record

MAX_SEGMENTS = 8  # more than this after a commit: small segments are merged
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
class Pending:
    seq: int
    teaser: bool
    key: str


class Batch:
    """One commit's worth of decisions, keyed by id so the last version of an id wins.

    Articles are handed on as soon as they are decided; one that a later article
    of the same batch supersedes (same id, or the full text of a pending teaser)
    is `retracted`: its document is marked deleted in the new segment at commit.
    """

    def __init__(self, searcher, settings: str):
        self.searcher = searcher
        self.settings = settings
        self.docs: dict[str, Pending] = {}
        self.by_key: dict[str, dict[str, bool]] = {}  # match_key -> {pending id: teaser}
        self.replace: set[str] = set()  # committed ids to delete
        # committed documents to delete by number, when the caller read them from `searcher`
        # (consolidation): the commit's writer opens the same generation under the lock
        self.replace_docs: set[int] = set()
        self.retracted: set[int] = set()
        self.seq = 0

    def _committed_record(self, article_id: str) -> tuple[str, bool, str | None] | None:
        """(content hash, teaser, language) of the committed document with this id."""
        docnum = self.searcher.document_number(id=article_id)
        if docnum is None:
            return None
        stored = self.searcher.stored_fields(docnum)
        record = unpack_record(stored["record"])
        return stored["content_hash"], record["teaser"], record.get("language")

    def _committed_same_key(self, key: str) -> list[tuple[str, bool]]:
        if ("match_key", key) not in self.searcher.reader():  # most keys: no query built
            return []
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

    def _as_detected(self, article: Article, committed: tuple[str, bool, str | None]) -> bool:
        """Whether `article` is the committed input with the language detected at its ingest
        filled in (what `export` writes): hashed as given, so without the language."""
        if article.language is None or article.language != committed[2]:
            return False
        return committed[0] == input_hash(replace(article, language=None), self.settings)

    def decide(self, article: Article, report: IngestReport) -> tuple[int, str | None] | None:
        """(sequence number, content hash if computed) of an article to write, or None."""
        article_id = article.id
        key = article.match_key
        pending = self.docs.get(article_id)
        committed = None if pending else self._committed_record(article_id)
        same_key: list[tuple[str, bool]] = []
        if normalize_title(article.title):  # untitled articles pair with nothing: all
            # of them share one key, and reading every one per article is quadratic
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
            if committed[0] == hashed or self._as_detected(article, committed):
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
        self.docs[article_id] = Pending(self.seq, article.teaser, key)
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
        if not segments and not self.replace and not self.replace_docs:
            return None
        writer = SegmentWriter(ix, limitmb=limitmb, timeout=10.0)
        try:
            for article_id in self.replace:
                writer.delete_by_term("id", article_id)
            for docnum in self.replace_docs:
                writer.delete_document(docnum)
            final = writer.segments + segments
            if len(final) > (MAX_SEGMENTS if last else 4 * MAX_SEGMENTS):
                final = _merge_smallest(writer, final)
        except BaseException:
            writer.cancel()
            raise
        commit_segments(writer, final)
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
