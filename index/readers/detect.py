"""Guess a file's format from its name, else from its first bytes.

The extension wins because it is what the user chose; sniffing covers files saved
without one (downloads, stdin dumps). ``None`` means "cannot tell": the caller
reports it and suggests --format.
"""

from __future__ import annotations

GZIP_MAGIC = b"\x1f\x8b"

_EXTENSIONS = (
    (".jsonl.gz", "jsonl"),
    (".ndjson.gz", "jsonl"),
    (".json.gz", "jsonl"),
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
    (".json", "jsonl"),
    (".txt", "pagetext"),
    (".html", "html"),
    (".htm", "html"),
    (".xhtml", "html"),
    (".xml", "feed"),
    (".rss", "feed"),
    (".atom", "feed"),
)


def detect_format(path: str, head: bytes) -> str | None:
    """The format of ``path`` ("jsonl", "pagetext", "html", "feed"), or None if unknown."""
    name = path.lower()
    for suffix, fmt in _EXTENSIONS:
        if name.endswith(suffix):
            return fmt
    return sniff(head)


def sniff(head: bytes) -> str | None:
    """Recognize a format from the first few kilobytes of a file."""
    if head.startswith(GZIP_MAGIC):
        return "jsonl"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if b"\x00" in text:
        return None
    if text.startswith(b"{"):
        return "jsonl"
    lower = text[:4096].lower()
    if b"<rss" in lower or b"<feed" in lower or b"<rdf:rdf" in lower:
        return "feed"
    if lower.startswith((b"<!doctype html", b"<html")) or b"<html" in lower:
        return "html"
    if lower.startswith(b"<?xml"):
        return "feed"
    first_line = lower.split(b"\n", 1)[0].strip()
    if first_line.endswith(b"-->") and not first_line.startswith(b"<"):
        return "pagetext"  # the scraped page text starts with a "header -->" markup remnant
    return None
