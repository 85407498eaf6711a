"""Command-line paths (files, folders, globs, "-") to the list of files to read.

Inside folders only files with a known extension (or none, to be sniffed) are
taken, so a mirrored site's images and stylesheets are not reported as bad
input; a file named explicitly, or matched by a glob, is always read.
Symbolic links are not followed out of the folder (or glob root) given: a link
to ~/.ssh/id_rsa in a mirrored folder must not become a public article, and a
link loop must not make `**` run forever. Each skipped link is a Notice.
"""

from __future__ import annotations

import fnmatch
import itertools
import os
from collections.abc import Iterable, Iterator

from index.readers._types import Notice, Problem
from index.readers.detect import detect_format

_GLOB_CHARS = frozenset("*?[")
OUTSIDE = "skipped: a symbolic link to a file outside the folder or pattern given"
LINKED_FOLDER = "skipped: a symbolic link to a folder (links are not followed)"


def expand_paths(paths: Iterable[str]) -> Iterator[str | Problem | Notice]:
    """Each file once, in a stable (sorted) order; a path matching nothing is a Problem, a
    symbolic link leading out of the folder (or glob root) given is skipped with a Notice."""
    seen: set[str] = set()
    for path in paths:
        if path == "-":
            yield "-"
            continue
        for found in _expand_one(path):
            if isinstance(found, Problem | Notice):
                yield found
                continue
            key = os.path.realpath(found)
            if key not in seen:
                seen.add(key)
                yield found


def _expand_one(path: str) -> Iterator[str | Problem | Notice]:
    if os.path.isdir(path):
        yield from _walk(path)
    elif os.path.exists(path):
        yield path
    elif _GLOB_CHARS & set(path):
        root, rest = _split_glob(path)
        matches = sorted(_glob(root, rest))
        if not matches:
            yield Problem(path, "no files match this pattern")
        for match in matches:
            if os.path.islink(match) and not _inside(match, root):
                yield Notice(match, OUTSIDE)
            elif os.path.isdir(match):
                yield from _walk(match)
            else:
                yield match
    else:
        yield Problem(path, "no such file or directory")


def _walk(folder: str) -> Iterator[str | Notice]:
    """Files under `folder`; symbolic links are never followed out of it (nor into loops)."""
    for root, dirs, files in os.walk(folder):  # followlinks=False: linked folders not entered
        for name in sorted(d for d in dirs if os.path.islink(os.path.join(root, d))):
            if not name.startswith("."):
                yield Notice(os.path.join(root, name), LINKED_FOLDER)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if "." in name and detect_format(name, b"") is None:
                continue  # an image, a stylesheet, ...: not an article source
            path = os.path.join(root, name)
            if os.path.islink(path) and not _inside(path, folder):
                yield Notice(path, OUTSIDE)
                continue
            yield path


def _inside(path: str, root: str) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _split_glob(pattern: str) -> tuple[str, list[str]]:
    """The folder a glob starts from (its leading components without wildcards) and the
    components left to match."""
    parts = [p for p in pattern.split(os.sep) if p]
    literal = list(itertools.takewhile(lambda p: not (_GLOB_CHARS & set(p)), parts[:-1]))
    root = os.sep.join(literal)
    if pattern.startswith(os.sep):
        root = os.sep + root
    return root or os.curdir, parts[len(literal) :]


def _glob(base: str, parts: list[str]) -> Iterator[str]:
    """glob.glob(recursive=True) without following symbolic links to folders (`**` into a
    link loop never ends); hidden names match only a pattern starting with a dot."""
    if not parts:
        yield base
        return
    head, rest = parts[0], parts[1:]
    if head == "**":
        for root, dirs, _ in os.walk(base):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            yield from _glob(root, rest)
        return
    try:
        names = sorted(entry.name for entry in os.scandir(base))
    except OSError:
        return
    for name in fnmatch.filter(names, head) if _GLOB_CHARS & set(head) else [head]:
        if name.startswith(".") and not head.startswith("."):
            continue
        path = os.path.join(base, name) if base != os.curdir else name
        if not rest:
            if os.path.lexists(path):
                yield path
        elif os.path.isdir(path) and not os.path.islink(path):
            yield from _glob(path, rest)
