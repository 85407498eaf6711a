"""`archive-search replica --from SOURCE`: keep a local copy of a published folder current.

Each round lists SOURCE, and copies every complete generation newer than the
newest one here (oldest first; for each, its files and then its TOC, the
order `publish` keeps), then applies the retention rule here. Copying the
ones in between too means a page pinned to a generation on one replica finds
it on the others (search.pinned). A round killed
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

from index import rsync
from index.publish import (
    KEEP,
    KEEP_MINUTES,
    TOC,
    PublishError,
    exclusive,
    install,
    read_manifests,
    remove_old,
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
        tocs = [int(m.group(1)) for name in rsync.list_names(source) if (m := TOC.match(name))]
        if not tocs:
            raise PublishError(f"{source} holds no published generation yet")
        here = [int(m.group(1)) for p in folder.iterdir() if (m := TOC.match(p.name))]
        # A TOC there means all of its generation is (publish sends the TOC last).
        # Every generation newer than ours is copied, oldest first, so that pages
        # pinned on another replica find theirs here too.
        missing = sorted(g for g in tocs if g > max(here, default=-1))
        copied = None
        if missing:
            manifests, _ = read_manifests(source)
            for generation in missing:
                if generation in manifests:
                    install(source, str(folder), manifests[generation], bwlimit=bwlimit)
                    copied = generation
            if copied is None:
                raise PublishError(f"{source} has no manifest for generation {missing[-1]}")
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
