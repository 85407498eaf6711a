"""Readers turn source files into Article records.

Every reader yields ``Parsed`` (an article and where it came from) or
``Problem`` (what could not be read, naming file and line) and never raises for
bad input, so one broken file or line never stops a batch. All of them build an
interchange dict and pass it to ``records.article_from_dict``: validation and id
derivation are the same whatever the format.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from index.readers._types import Notice, Parsed, Problem
from index.readers.detect import GZIP_MAGIC, detect_format
from index.readers.feeds import read_feed
from index.readers.html import read_html
from index.readers.jsonl import read_jsonl
from index.readers.pagetext import read_pagetext
from index.readers.paths import expand_paths

__all__ = [
    "FORMATS",
    "Notice",
    "Parsed",
    "Problem",
    "detect_format",
    "expand_paths",
    "read_path",
    "read_paths",
]

FORMATS = ("jsonl", "pagetext", "html", "feed")
STDIN_NAME = "<stdin>"
HEAD_BYTES = 8192
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # page text, HTML and feeds are read whole
_WHOLE_FILE_READERS = {"pagetext": read_pagetext, "html": read_html, "feed": read_feed}


def read_path(path: str, format: str | None = None) -> Iterator[Parsed | Problem | Notice]:
    """Articles and problems of one file ("-" is JSONL on stdin); ValueError if ``format``
    is not one of FORMATS (a usage error, raised at once rather than on first iteration)."""
    _check_format(format)
    return _guarded(path, format)


def read_paths(
    paths: Iterable[str], format: str | None = None
) -> Iterator[Parsed | Problem | Notice]:
    """Every file of ``paths`` (files, folders, globs, "-") in turn."""
    _check_format(format)
    return _read_all(paths, format)


def _check_format(format: str | None) -> None:
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")


def _read_all(paths: Iterable[str], format: str | None) -> Iterator[Parsed | Problem | Notice]:
    for path in expand_paths(paths):
        if isinstance(path, Problem | Notice):
            yield path
        else:
            yield from _guarded(path, format)


def _guarded(path: str, format: str | None) -> Iterator[Parsed | Problem | Notice]:
    """The last line of defence: a reader bug becomes a Problem for the file, not a crash."""
    name = STDIN_NAME if path == "-" else path
    try:
        yield from _read(path, name, format)
    except Exception as exc:  # noqa: BLE001 - never stop a batch; the file is named
        yield Problem(name, f"could not be read: {type(exc).__name__}: {exc}")


def _read(path: str, name: str, format: str | None) -> Iterator[Parsed | Problem | Notice]:
    if path == "-":
        yield from _read_stream(sys.stdin.buffer, name, format)
        return
    try:
        with open(path, "rb") as stream:
            yield from _read_stream(stream, name, format)
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}")


def _read_stream(
    stream: BinaryIO, name: str, format: str | None
) -> Iterator[Parsed | Problem | Notice]:
    """Check the head for emptiness, binary data and format, then hand over to a reader."""
    head = stream.read(HEAD_BYTES)
    if not head:
        yield Problem(name, "empty file")
        return
    fmt = format or ("jsonl" if name == STDIN_NAME else detect_format(name, head))
    if b"\x00" in head and not head.startswith(GZIP_MAGIC):
        yield Problem(name, "binary data (NUL bytes), not a text format")
        return
    if fmt is None:
        yield Problem(name, "unrecognized format: use --format jsonl|pagetext|html|feed")
        return
    if fmt == "jsonl":
        yield from read_jsonl(stream, name, head)
        return
    rest = stream.read(MAX_DOCUMENT_BYTES + 1 - len(head))
    data = head + rest
    if len(data) > MAX_DOCUMENT_BYTES:
        limit = MAX_DOCUMENT_BYTES // (1024 * 1024)
        yield Problem(name, f"file too large for {fmt} (more than {limit} MB)")
        return
    yield from _WHOLE_FILE_READERS[fmt](data, name)
