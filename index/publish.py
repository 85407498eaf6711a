"""`archive-search publish DEST`: one committed generation, copied so a replica never sees half.

Whoosh commits a generation by writing its table of contents (`_MAIN_<g>.toc`)
last; segment files are immutable and uniquely named. Publishing keeps that
order across machines:

1. Under the writer's own lock (Whoosh's `MAIN_WRITELOCK`, which every commit
   holds while it writes the TOC and removes the files it no longer needs),
   the files of the latest committed generation are hard-linked into a
   snapshot folder: milliseconds, so an ingest in progress only waits that long
   and its later commits cannot delete what is being sent.
2. rsync sends the segment files, `archive-search.json`, the archive's alias
   file (`aliases-<g>.toml`, read at query time) and a manifest
   (`generation-<g>.json`: the generation's files, documents, publish time);
   unchanged files are skipped, so publishing again sends only new segments.
3. rsync sends the TOC last. A replica's reader looks only for TOCs, so it
   switches to the new generation when all of it is there.
4. Old generations are removed by the retention rule (`remove_old`).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from index import codec, rsync
from index.rsync import PublishError
from search.pinned import aliases_name
from search.storage import VERSION_FILE, open_index

TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
MANIFEST = re.compile(r"^generation-(\d+)\.json$")
SEGMENT_FILE = re.compile(r"^(MAIN_[0-9a-z]+)\.[A-Za-z0-9_.]+$")
SNAPSHOT = ".publish-snapshot"
PUBLISH_LOCK = "publish.lock"
KEEP = 3  # newest generations always kept
KEEP_MINUTES = 60.0  # a replaced generation stays this long (pinned pages go on reading it)
WRITELOCK_TIMEOUT = 30.0


def toc_name(generation: int) -> str:
    return f"_MAIN_{generation}.toc"


def manifest_name(generation: int) -> str:
    return f"generation-{generation}.json"


@dataclass
class Published:
    """What one publish did, for the command's summary line and the benchmarks."""

    generation: int
    documents: int
    files_sent: int = 0
    bytes_sent: int = 0
    seconds: float = 0.0
    already: bool = False
    removed: list[int] = field(default_factory=list)

    def summary(self, dest: str) -> str:
        if self.already:
            head = f"generation {self.generation} was already published to {dest}"
        else:
            head = (
                f"published generation {self.generation} ({self.documents:,} articles) to {dest}: "
                f"{self.files_sent} files, {self.bytes_sent / 1e6:.1f} MB in {self.seconds:.1f} s"
            )
        gone = ", ".join(map(str, self.removed)) or "none"
        return f"{head}; old generations removed: {gone}"


@contextmanager
def exclusive(path: Path, message: str) -> Iterator[None]:
    """An exclusive flock on `path` (released by the OS if the process dies)."""
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(message) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def writer_lock(index_dir: Path, timeout: float = WRITELOCK_TIMEOUT) -> Iterator[None]:
    """Whoosh's write lock: while held, no commit writes a TOC or removes a file."""
    ix = open_index(index_dir)
    lock = ix.lock("WRITELOCK")
    deadline = time.monotonic() + timeout
    while not lock.acquire(blocking=False):
        if time.monotonic() > deadline:
            raise PublishError(f"the writer held {index_dir} for more than {timeout:g} s")
        time.sleep(0.05)
    try:
        yield
    finally:
        lock.release()


def snapshot(index_dir: Path, into: Path, aliases: Path | None) -> dict:
    """Hard links to the latest committed generation's files in `into`; its manifest."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir()
    with writer_lock(index_dir):
        ix = open_index(index_dir)
        generation = ix.latest_generation()
        if generation < 1:
            raise PublishError(
                f"{index_dir} has no committed generation yet: ingest articles first"
            )
        segments = codec.segment_ids(ix)
        names = [
            name
            for name in os.listdir(index_dir)
            if (m := SEGMENT_FILE.match(name)) and m.group(1) in segments
        ]
        for name in [*names, toc_name(generation), VERSION_FILE]:
            _link(index_dir / name, into / name)
        documents = ix.doc_count()
    manifest = {
        "generation": generation,
        "documents": documents,
        "published": time.time(),
        "files": sorted(names),
        "aliases": None,
    }
    if aliases is not None:
        shutil.copyfile(aliases, into / aliases_name(generation))
        manifest["aliases"] = aliases_name(generation)
    (into / manifest_name(generation)).write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:  # a file system without hard links: copy (still under the lock)
        shutil.copy2(source, target)


def install(source: str, dest: str, manifest: dict, *, bwlimit: int | None = None) -> dict:
    """Send one generation from folder `source` to `dest`: every other file first, the TOC last."""
    generation = manifest["generation"]
    first = [*manifest["files"], VERSION_FILE, manifest_name(generation)]
    if manifest.get("aliases"):
        first.append(manifest["aliases"])
    stats = rsync.send(source, dest, first, bwlimit=bwlimit)
    rsync.send(source, dest, [toc_name(generation)])
    return stats


def read_manifests(location: str) -> tuple[dict[int, dict], set[int]]:
    """The manifests in a published folder, and which generations have their TOC there."""
    names = rsync.list_names(location)
    tocs = {int(m.group(1)) for name in names if (m := TOC.match(name))}
    if not any(MANIFEST.match(name) for name in names):
        return {}, tocs
    if not rsync.is_remote(location):
        return _manifests_in(Path(location)), tocs
    with tempfile.TemporaryDirectory() as tmp:
        rsync.fetch(location, "generation-*.json", Path(tmp))
        return _manifests_in(Path(tmp)), tocs


def _manifests_in(folder: Path) -> dict[int, dict]:
    manifests: dict[int, dict] = {}
    for path in folder.glob("generation-*.json"):
        try:
            data = json.loads(path.read_text())
            manifests[int(data["generation"])] = data
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged or vanished manifest: its generation is left alone
    return manifests


def generations_to_remove(
    manifests: dict[int, dict], tocs: set[int], keep: int, max_age: float, now: float
) -> list[int]:
    """The retention rule: a generation goes when it is not among the newest `keep`
    complete ones and was replaced more than `max_age` seconds ago; a manifest
    whose TOC never arrived (an interrupted publish) goes when older than `max_age`."""
    complete = sorted(g for g in manifests if g in tocs)
    kept = set(complete[-max(1, keep) :])
    remove = []
    for g in sorted(set(manifests) - kept):
        newer = [h for h in complete if h > g]
        since = manifests[newer[0] if g in tocs and newer else g]["published"]
        if now - float(since) > max_age:
            remove.append(g)
    return remove


def remove_old(location: str, keep: int = KEEP, max_age: float = KEEP_MINUTES * 60) -> list[int]:
    """Apply the retention rule to a published folder; the generations really deleted.

    TOCs go first (no reader starts on a removed generation), then manifests,
    alias files and the segment files no kept generation lists. A reader that
    still has a removed generation open keeps reading it: its files are open
    (unlinked files live on until closed), and it opens the newest TOC on its
    next request.
    """
    manifests, tocs = read_manifests(location)
    gone = generations_to_remove(manifests, tocs, keep, max_age, time.time())
    if not gone:
        return []
    still = {f for g, m in manifests.items() if g not in gone for f in m.get("files", [])}
    rsync.delete(location, [toc_name(g) for g in gone if g in tocs])
    extra = [f for g in gone for f in manifests[g].get("files", []) if f not in still]
    for g in gone:
        extra.append(manifest_name(g))
        if manifests[g].get("aliases"):
            extra.append(manifests[g]["aliases"])
    rsync.delete(location, extra)
    return gone


def publish(
    index_dir: str | os.PathLike,
    dest: str,
    *,
    keep: int = KEEP,
    max_age: float = KEEP_MINUTES * 60,
    aliases: str | os.PathLike | None = None,
) -> Published:
    """Copy the latest committed generation of `index_dir` to `dest`; apply retention there."""
    index_dir = Path(index_dir)
    rsync.rsync_binary()
    open_index(index_dir)  # a clear error when there is no index at all
    alias_file = Path(aliases) if aliases else None
    if alias_file is not None and not alias_file.is_file():
        raise PublishError(f"alias file {alias_file} does not exist")
    if not rsync.is_remote(dest):
        _check_writable(Path(dest))
    started = time.perf_counter()
    with exclusive(index_dir / PUBLISH_LOCK, f"another publish from {index_dir} is running"):
        into = index_dir / SNAPSHOT
        try:
            manifest = snapshot(index_dir, into, alias_file)
            result = Published(manifest["generation"], manifest["documents"])
            result.already = _check_dest(dest, manifest)
            if not result.already:
                stats = install(str(into), dest, manifest)
                result.files_sent, result.bytes_sent = stats["files"], stats["bytes"]
        finally:
            shutil.rmtree(into, ignore_errors=True)
    result.removed = remove_old(dest, keep, max_age)
    result.seconds = time.perf_counter() - started
    return result


def _check_dest(dest: str, manifest: dict) -> bool:
    """True when `dest` already holds this generation; an error when it holds another index's."""
    manifests, tocs = read_manifests(dest)
    generation = manifest["generation"]
    other = (
        f"{dest} holds generations published from another index; publish this one to an "
        "empty folder (replicas only ever move to a higher generation number)"
    )
    if tocs and max(tocs) > generation:
        raise PublishError(f"{other} (it has generation {max(tocs)}, this index {generation})")
    if generation in tocs:
        if manifests.get(generation, {}).get("files") != manifest["files"]:
            raise PublishError(other)
        return True
    return False


def _check_writable(dest: Path) -> None:
    try:
        dest.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=dest, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise PublishError(f"cannot write to {dest}: {exc.strerror or exc}") from None
