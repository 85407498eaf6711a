"""`archive-search replica --from SOURCE`: keep a local copy of a published folder current.

Each round reads SOURCE's manifests, and when its newest complete generation
is not here yet, copies that generation's files and then its TOC (the same
order `publish` keeps), then applies the retention rule here. A round killed
half-way leaves rsync's temporary files (dot-names no reader looks at) and no
new TOC: `archive-search serve` on this folder goes on with the last complete
generation, and the next round removes the leftovers and finishes the copy.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from index.publish import (
    KEEP,
    KEEP_MINUTES,
    PublishError,
    exclusive,
    install,
    read_manifests,
    remove_old,
    toc_name,
)

REPLICA_LOCK = "replica.lock"


def _remove_leftovers(folder: Path) -> None:
    """rsync's temporary files (`.name.XXXXXX`) from a round that was killed."""
    for path in folder.iterdir():
        if path.name.startswith(".") and path.is_file() and path.name.count(".") >= 2:
            path.unlink(missing_ok=True)


def pull(
    source: str,
    index_dir: str | os.PathLike,
    *,
    keep: int = KEEP,
    max_age: float = KEEP_MINUTES * 60,
    bwlimit: int | None = None,
) -> int | None:
    """One round: the generation copied, or None when this folder was already current."""
    folder = Path(index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with exclusive(folder / REPLICA_LOCK, f"another replica process is filling {folder}"):
        _remove_leftovers(folder)
        manifests, tocs = read_manifests(source)
        complete = [g for g in manifests if g in tocs]
        if not complete:
            raise PublishError(f"{source} holds no published generation yet")
        newest = max(complete)
        copied = None
        if not (folder / toc_name(newest)).exists():
            install(source, str(folder), manifests[newest], bwlimit=bwlimit)
            copied = newest
        remove_old(str(folder), keep, max_age)
    return copied


def run_replica(
    source: str,
    index_dir: str | os.PathLike,
    *,
    every: float | None,
    keep: int = KEEP,
    max_age: float = KEEP_MINUTES * 60,
    bwlimit: int | None = None,
    say: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
) -> int:
    """Pull once (`every` None), or every `every` seconds until interrupted.

    A failed round is reported and retried on the next tick: a replica outlives
    a primary that is briefly unreachable.
    """
    while True:
        started = time.monotonic()
        try:
            copied = pull(source, index_dir, keep=keep, max_age=max_age, bwlimit=bwlimit)
            if copied is not None:
                say(f"replica: now holding generation {copied} from {source}")
        except PublishError as exc:
            if every is None:
                raise
            say(f"replica: {exc}; retrying in {every:g} s")
        if every is None:
            return 0
        time.sleep(max(0.0, every - (time.monotonic() - started)))
