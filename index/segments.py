"""Building one new index segment, in this process or in a worker process.

A `SegmentBuilder` takes documents (the field dicts of `index.documents`) and
writes a complete, self-contained Whoosh segment that is not yet part of the
index: only the ingest's main process adds segments to the index, in one TOC
write per batch (see index/writer.py). Segment files that never make it into a
TOC (a killed ingest) are deleted by Whoosh's `clean_files` at the next commit.

`Workers` runs one builder per worker process, as `whoosh.multiproc.MpWriter`
does with `multisegment=True`, but each worker also does the expensive part,
preparing the documents (entity extraction, analysis).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import traceback
from collections import defaultdict
from functools import lru_cache
from typing import Any

from whoosh.analysis import IDTokenizer
from whoosh.fields import BOOLEAN, ID, KEYWORD
from whoosh.formats import Existence, Frequency
from whoosh.system import pack_uint as _pack_uint

from index.codec import (
    StoredWriter,
    cancel_segment,
    finish_segment,
    open_segment_writer,
    quantized_length,
)
from index.documents import INDEXED_AS
from index.readers import Problem

POOL_THRESHOLD = 200  # fewer documents than this are prepared in this process (InProcess)
CHUNK = 64  # documents per message to a worker


class SegmentBuilder:
    """Writes one new segment of the index in `index_dir` (no lock taken: the caller holds it)."""

    def __init__(self, index_dir: str):
        self._writer = open_segment_writer(index_dir)
        self.schema = self._writer.schema
        self._pdw = self._writer.perdocwriter
        self._stored = StoredWriter(self._pdw)
        # field -> term (str, or bytes from Whoosh's own field.index) -> postings in docnum order
        self._postings: dict[str, dict[Any, list]] = defaultdict(lambda: defaultdict(list))
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise NotImplementedError(f"field {name!r}: vectors and spelling are not built")
        # Pre-analyzed term lists in a positions format are encoded here directly,
        # not through Whoosh's per-token analyzer machinery (text goes through it).
        self._positional = {
            name
            for name, field in self.schema.items()
            if field.format is not None and field.format.supports("positions")
        }
        self._simple = {name: _simple_kind(field) for name, field in self.schema.items()}
        self._coarse: dict[tuple[str, Any], list] = {}
        self.docnum = 0
        self.postings = 0  # about how many postings are held in memory

    def add(self, fields: dict[str, Any]) -> None:
        """Add one document (`index.documents.article_fields` output)."""
        schema, pdw, docnum = self.schema, self._pdw, self.docnum
        pdw.start_doc(docnum)
        stored: dict[str, Any] = {}
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                if name in self._positional and isinstance(value, list):
                    length = self._add_positional(name, field, value, docnum)
                elif name in INDEXED_AS:
                    length = self._add_coarse(name, field, INDEXED_AS[name](value), docnum)
                elif isinstance(field, BOOLEAN):
                    length = self._add_coarse(name, field, value, docnum)
                else:
                    length = self._add_terms(name, field, value, docnum)
            if field.stored:
                stored[name] = value
            pdw.add_field(name, field, None, length)
            if field.column_type:
                pdw.add_column_value(name, field.column_type, field.to_column_value(value))
        self._stored.add(docnum, stored)
        pdw.finish_doc()
        self.docnum += 1
        self.postings += _DOC_POSTINGS

    def _add_positional(self, name: str, field: Any, terms: list[str], docnum: int) -> int:
        """Postings of a pre-analyzed term list, as Whoosh's Positions format encodes them."""
        first: dict[str, int] = {}  # term -> its first position
        more: dict[str, list[int]] = {}  # term -> every position, for terms seen again
        for pos, term in enumerate(terms):
            if term not in first:
                first[term] = pos
            elif term in more:
                more[term].append(pos)
            else:
                more[term] = [first[term], pos]
        length = len(terms) if field.scorable else 0
        qlength = quantized_length(length)
        boost = field.format.field_boost
        postings = self._postings[name]
        self.postings += len(first)
        single = _single_position
        for term, pos in first.items():
            poslist = more.get(term)
            if poslist is None:
                posting = (docnum, boost, single(pos), qlength)
            else:
                deltas = [pos] + [b - a for a, b in zip(poslist, poslist[1:], strict=False)]
                vbytes = _pack_uint(len(deltas)) + _dumps(deltas, 2)
                posting = (docnum, float(len(poslist)) * boost, vbytes, qlength)
            postings[term].append(posting)
        return length

    def _add_coarse(self, name: str, field: Any, value: Any, docnum: int) -> int:
        """A field whose values repeat (booleans, INDEXED_AS values): terms cached per value."""
        items = self._coarse.get((name, value))
        if items is None:
            items = self._coarse[(name, value)] = list(field.index(value))
        length = sum(freq for _, freq, _, _ in items) if field.scorable else 0
        qlength = quantized_length(length)
        postings = self._postings[name]
        for tbytes, _freq, weight, vbytes in items:
            postings[tbytes].append((docnum, weight, vbytes or b"", qlength))
        return length

    def _add_terms(self, name: str, field: Any, value: Any, docnum: int) -> int:
        """Postings of any other indexed field; ID and KEYWORD values without Whoosh's analyzers."""
        postings = self._postings[name]
        kind = self._simple.get(name)
        if kind == "id" and isinstance(value, str):
            postings[value].append((docnum, field.format.field_boost, b"", 0))
            return 0
        if kind in ("existence", "frequency") and isinstance(value, list | tuple):
            counts: dict[str, int] = {}
            for term in value:
                counts[term] = counts.get(term, 0) + 1
            boost = field.format.field_boost
            length = (len(counts) if kind == "existence" else len(value)) if field.scorable else 0
            qlength = quantized_length(length)
            for term, freq in counts.items():
                if kind == "existence":
                    postings[term].append((docnum, boost, b"", qlength))
                else:
                    postings[term].append((docnum, float(freq) * boost, _pack_uint(freq), qlength))
            return length
        items = list(field.index(value))
        length = sum(freq for _, freq, _, _ in items) if field.scorable else 0
        qlength = quantized_length(length)
        for tbytes, _freq, weight, vbytes in items:
            postings[tbytes].append((docnum, weight, vbytes or b"", qlength))
        return length

    def finish(self) -> Any | None:
        """Write the segment's files; return the Whoosh segment, or None if it is empty."""
        return finish_segment(self._writer, self.docnum, self._postings)

    def cancel(self) -> None:
        cancel_segment(self._writer)


_dumps = pickle.dumps


@lru_cache(maxsize=65536)
def _single_position(pos: int) -> bytes:
    """Whoosh's Positions.encode([pos]): a count, then the deltas pickled with protocol 2."""
    return _pack_uint(1) + _dumps([pos], 2)


def _simple_kind(field: Any) -> str | None:
    """Fields whose terms are their values as given (no analysis): how to post them."""
    fmt = type(field.format)
    if isinstance(field, ID) and type(field.analyzer) is IDTokenizer and fmt is Existence:
        return "id"
    if isinstance(field, KEYWORD | ID) and fmt is Existence:
        return "existence"  # list values are posted as given (Whoosh's entoken)
    if isinstance(field, KEYWORD) and fmt is Frequency:
        return "frequency"
    return None


class WorkerError(Exception):
    """A worker process failed outside any one article; `details` has its traceback."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.details = details


_DOC_POSTINGS = 20  # postings of the short fields (ids, facets, date terms) per document
BYTES_PER_POSTING = 100  # in memory, roughly: a tuple, its value bytes, list slots


class SegmentSeries:
    """One batch's documents in one process: one segment, or more if memory runs short.

    A builder holds all its postings in memory until `finish`; once it holds
    about `limitmb` megabytes, its segment is finished and a new one started.
    """

    def __init__(self, index_dir: str, limitmb: int):
        self.index_dir = index_dir
        self.max_postings = max(1, limitmb) * (1 << 20) // BYTES_PER_POSTING
        self.builder: SegmentBuilder | None = None
        self.seqs: list[int] = []
        self.done: list[tuple[Any, list[int]]] = []
        self.problems: list[Problem] = []

    def add(self, seq: int, fields: dict[str, Any]) -> None:
        if self.builder is None:
            self.builder = SegmentBuilder(self.index_dir)
        self.builder.add(fields)
        self.seqs.append(seq)
        if self.builder.postings >= self.max_postings:
            self._close()

    def _close(self) -> None:
        segment = self.builder.finish()
        if segment is not None:
            self.done.append((segment, self.seqs))
        self.builder, self.seqs = None, []

    def finish(self) -> tuple[list[tuple[Any, list[int]]], list[Problem]]:
        """The batch's (segment, seqs in docnum order) pairs, and its problems; then reset."""
        if self.builder is not None:
            self._close()
        result = (self.done, self.problems)
        self.done, self.problems = [], []
        return result

    def cancel(self) -> None:
        if self.builder is not None:
            self.builder.cancel()
        self.builder, self.seqs, self.done, self.problems = None, [], [], []


def _worker_main(conn, index_dir: str, prepare, limitmb: int) -> None:
    """Worker loop: ("docs", [(seq, payload)]) ... ("end",) -> ("ok", segments, problems).

    A failure (a full disk, say) is kept until "end" and answered then, so the
    main process never finds a stale reply in the pipe.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    series = SegmentSeries(index_dir, limitmb)
    failed: tuple[BaseException, str] | None = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the main process is gone
            os._exit(1)
        kind = message[0]
        if kind == "stop":
            return
        try:
            if kind == "docs" and failed is None:
                _add_prepared(series, message[1], prepare)
            elif kind == "end" and failed is None:
                conn.send(("ok", *series.finish()))
        except Exception as exc:  # reported to the main process, which abandons the batch
            failed = (_picklable(exc), traceback.format_exc())
            with contextlib.suppress(Exception):
                series.cancel()
        if kind == "end" and failed is not None:
            conn.send(("error", *failed))
            failed = None


def _add_prepared(series: SegmentSeries, docs: list[tuple[int, Any]], prepare) -> None:
    """Prepare a chunk's payloads together (`prepare` takes the list) and add each result."""
    prepared = prepare([payload for _, payload in docs])
    for (seq, _), fields in zip(docs, prepared, strict=True):
        if isinstance(fields, Problem):
            series.problems.append(fields)
        else:
            series.add(seq, fields)


def _picklable(exc: BaseException) -> BaseException:
    if isinstance(exc, OSError):
        return OSError(exc.errno, exc.strerror, exc.filename)
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return WorkerError(f"{type(exc).__name__}: {exc}")


class InProcess:
    """The Workers interface for small inputs: one SegmentSeries, in this process."""

    def __init__(self, index_dir: str, limitmb: int, prepare):
        self.series = SegmentSeries(index_dir, limitmb)
        self.prepare = prepare

    def send(self, docs: list[tuple[int, Any]]) -> None:
        _add_prepared(self.series, docs, self.prepare)

    def finish(self) -> list[tuple[list[tuple[Any, list[int]]], list[Problem]]]:
        return [self.series.finish()]

    def close(self) -> None:
        self.series.cancel()


def pool(index_dir: str, count: int, prepare, limitmb: int, workers: int | None = None):
    """Where `count` documents are prepared: one worker process per core (default), or this
    process when they are too few to pay for starting workers. `prepare` turns a chunk's
    payloads into their fields (or Problems), in order."""
    workers = workers or os.cpu_count() or 1
    if count < POOL_THRESHOLD or workers <= 1:
        return InProcess(index_dir, limitmb, prepare)
    return Workers(index_dir, workers, prepare, limitmb)


class Workers:
    """N worker processes, each building one segment per batch."""

    def __init__(self, index_dir: str, count: int, prepare, limitmb: int):
        context = multiprocessing.get_context("fork")
        self._conns = []
        self._procs = []
        for _ in range(count):
            parent, child = context.Pipe()
            proc = context.Process(
                target=_child_entry,
                args=(parent, child, index_dir, prepare, limitmb),
                daemon=True,
            )
            proc.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(proc)
        self._next = 0
        self._sent = [False] * count

    def send(self, docs: list[tuple[int, Any]]) -> None:
        """Hand a chunk of documents to the next worker (round robin)."""
        i = self._next
        self._next = (i + 1) % len(self._conns)
        self._conns[i].send(("docs", docs))
        self._sent[i] = True

    def finish(self) -> list[tuple[list[tuple[Any, list[int]]], list[Problem]]]:
        """End the batch: every worker's SegmentSeries.finish()."""
        busy = [i for i, sent in enumerate(self._sent) if sent]
        for i in busy:
            self._conns[i].send(("end",))
        results, errors = [], []
        for i in busy:
            reply = self._conns[i].recv()
            if reply[0] == "ok":
                results.append(reply[1:])
            else:
                errors.append(reply[1:])
        self._sent = [False] * len(self._conns)
        if errors:
            exc, details = errors[0]
            if isinstance(exc, OSError):  # a full disk: the caller reports it as such
                raise exc
            raise WorkerError(f"an ingest worker failed: {exc}", details)
        return results

    def close(self) -> None:
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
            conn.close()
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join()


def _child_entry(parent, child, index_dir, prepare, limitmb) -> None:
    parent.close()  # so the worker sees EOF when the main process dies
    _worker_main(child, index_dir, prepare, limitmb)
