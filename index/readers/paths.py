"""Command-line paths (files, folders, globs, "-") to the list of files to read.

Inside folders only files with a known extension (or none, to be sniffed) are
taken, so a mirrored site's images and stylesheets are not reported as bad
input; a file named explicitly, or matched by a glob, is always read.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator

from index.readers._types import Problem
from index.readers.detect import detect_format

_GLOB_CHARS = frozenset("*?[")


def expand_paths(paths: Iterable[str]) -> Iterator[str | Problem]:
    """Each file once, in a stable (sorted) order; a path matching nothing is a Problem."""
    seen: set[str] = set()
    for path in paths:
        if path == "-":
            yield "-"
            continue
        for found in _expand_one(path):
            if isinstance(found, Problem):
                yield found
                continue
            key = os.path.realpath(found)
            if key not in seen:
                seen.add(key)
                yield found


def _expand_one(path: str) -> Iterator[str | Problem]:
    if os.path.isdir(path):
        yield from _walk(path)
    elif os.path.exists(path):
        yield path
    elif _GLOB_CHARS & set(path):
        matches = sorted(glob.glob(path, recursive=True))
        if not matches:
            yield Problem(path, "no files match this pattern")
        for match in matches:
            yield from _walk(match) if os.path.isdir(match) else [match]
    else:
        yield Problem(path, "no such file or directory")


def _walk(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if "." in name and detect_format(name, b"") is None:
                continue  # an image, a stylesheet, ...: not an article source
            yield os.path.join(root, name)
