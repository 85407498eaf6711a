"""JSON Lines (plain or gzip-compressed): one interchange record per line.

Read line by line from a byte stream so a 20,000-article dump or stdin never has
to fit in memory, and so one bad line (bad JSON, bad UTF-8, an absurdly long
line) is reported with its number while the lines around it are still read.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from index.readers._types import Parsed, Problem, make_article
from index.readers.detect import GZIP_MAGIC

MAX_LINE_BYTES = 20 * 1024 * 1024  # longer lines are refused before any JSON decoding
_SKIP_CHUNK = 1024 * 1024


class _Prefixed(io.RawIOBase):
    """A stream that first replays bytes already read (to sniff them) from a non-seekable one."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def open_stream(raw: BinaryIO, head: bytes = b"") -> tuple[BinaryIO, bool]:
    """Wrap ``raw`` (a file or stdin), whose first bytes ``head`` were already read for
    sniffing, so it reads decompressed; say whether it was gzip."""
    if len(head) < 2:
        head += raw.read(2 - len(head))
    buffered = io.BufferedReader(_Prefixed(head, raw))
    if head.startswith(GZIP_MAGIC):
        return gzip.GzipFile(fileobj=buffered, mode="rb"), True  # type: ignore[return-value]
    return buffered, False


def read_jsonl(raw: BinaryIO, name: str, head: bytes = b"") -> Iterator[Parsed | Problem]:
    """Yield one Parsed or Problem per non-blank line, then a Problem if the gzip was cut short.
    ``head``: bytes already read from ``raw`` (to sniff its format)."""
    stream, gzipped = open_stream(raw, head)
    lineno = 0
    try:
        while True:
            line = stream.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            lineno += 1
            where = f"{name}:{lineno}"
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                size = len(line) + _skip_rest_of_line(stream)
                yield Problem(
                    where,
                    f"line too long ({size:,} bytes; the limit is {MAX_LINE_BYTES:,}), not decoded",
                )
                continue
            result = parse_line(line, where, first=lineno == 1)
            if result is not None:
                yield result
    except EOFError:
        yield Problem(name, f"truncated gzip: the file ends after line {lineno}")
    except (gzip.BadGzipFile, zlib.error) as exc:
        yield Problem(name, f"corrupt gzip after line {lineno}: {exc}")
    except OSError as exc:
        what = "corrupt gzip" if gzipped else "read error"
        yield Problem(name, f"{what} after line {lineno}: {exc}")


def _skip_rest_of_line(stream: BinaryIO) -> int:
    skipped = 0
    while True:
        chunk = stream.readline(_SKIP_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def parse_line(line: bytes, where: str, first: bool = False) -> Parsed | Problem | None:
    """One line to an article; None for a blank line (allowed, e.g. a trailing newline)."""
    if first:
        line = line.removeprefix(b"\xef\xbb\xbf")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = line[exc.start]
        return Problem(where, f"invalid UTF-8: byte 0x{byte:02x} at byte {exc.start + 1}")
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Problem(where, f"malformed JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return Problem(where, "malformed JSON: nested too deeply")
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        return Problem(where, f"malformed JSON: {exc}")
    return make_article(data, where)
