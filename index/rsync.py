"""The rsync calls behind `publish` and `replica`: list, send named files, fetch, delete.

Files are always copied by Debian's rsync; listing and deleting go through it
only for a remote folder (`host:path` or `rsync://`): a local one is listed and
cleaned directly, which saves a process per call on a replica's every round. rsync
writes each file to a temporary name beside it and renames it when complete,
so a reader never sees half a file under its real name; the order in which
files are sent (segments first, the table of contents last) is ours.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

_EXIT_MEANINGS = {
    1: "usage error",
    3: "cannot read or write the folder",
    5: "cannot start the transfer",
    10: "socket error",
    11: "file input/output error (is the disk full, or the folder read-only?)",
    12: "the other side closed the connection",
    23: "some files could not be transferred",
    24: "some source files vanished during the transfer",
    30: "timed out",
    35: "timed out",
    255: "the remote shell failed (is the host reachable?)",
}
_STAT = re.compile(r"^(Number of regular files transferred|Total transferred file size): ([\d,.]+)")


class PublishError(Exception):
    """Publishing or pulling cannot go on; the message says what to fix."""


def rsync_binary() -> str:
    """The rsync program on PATH, or a clear error naming the package to install."""
    found = shutil.which("rsync")
    if not found:
        raise PublishError(
            "rsync is not installed (not found on PATH): install it, "
            "e.g. `apt-get install rsync`, on this machine and on the other side"
        )
    return found


def is_remote(location: str) -> bool:
    """rsync's own rule: `host:path` (a colon before any slash) or an rsync:// URL."""
    if location.startswith("rsync://"):
        return True
    head = location.split("/", 1)[0]
    return ":" in head


def folder(location: str | os.PathLike) -> str:
    """`location` with one trailing slash: rsync then means the folder's contents."""
    return str(location).rstrip("/") + "/"


def run(args: list[str], what: str, *, timeout: float | None = None) -> str:
    """Run rsync with `args`; its standard output, or a PublishError naming `what` failed."""
    command = [rsync_binary(), *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PublishError(f"{what}: rsync did not finish within {timeout:g} s") from None
    if done.returncode != 0:
        meaning = _EXIT_MEANINGS.get(done.returncode, "failed")
        detail = done.stderr.strip().splitlines()
        tail = f": {detail[0]}" if detail else ""
        raise PublishError(f"{what}: rsync exit {done.returncode}, {meaning}{tail}")
    return done.stdout


def list_names(location: str) -> list[str]:
    """Names of the files directly inside `location` (a folder, local or remote)."""
    if not is_remote(location):
        try:
            return [entry.name for entry in os.scandir(location) if entry.is_file()]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise PublishError(f"cannot read {location}: {exc.strerror}") from None
    out = run(["--list-only", "--no-recursive", "--dirs", folder(location)], f"listing {location}")
    names = []
    for line in out.splitlines():
        parts = line.split(None, 4)
        if len(parts) == 5 and parts[0].startswith("-") and parts[4] != ".":
            names.append(parts[4])
    return names


def send(source: str, dest: str, names: Iterable[str], *, bwlimit: int | None = None) -> dict:
    """Copy the named files from folder `source` to folder `dest`; unchanged ones are skipped.

    `--times` keeps modification times, so a file already there (same size and
    time) is not sent again. Returns rsync's counts: files sent and bytes.
    """
    names = sorted(set(names))
    if not names:
        return {"files": 0, "bytes": 0}
    with tempfile.NamedTemporaryFile("w", suffix=".list") as listing:
        listing.write("\n".join(names) + "\n")
        listing.flush()
        args = ["--times", "--stats", f"--files-from={listing.name}", "--mkpath"]
        if bwlimit:
            args.append(f"--bwlimit={bwlimit}")
        out = run([*args, folder(source), folder(dest)], f"copying to {dest}")
    stats = {"files": 0, "bytes": 0}
    for line in out.splitlines():
        match = _STAT.match(line.strip())
        if match:
            key = "files" if match.group(1).startswith("Number") else "bytes"
            stats[key] = int(re.sub(r"[,.]", "", match.group(2)))
    return stats


def fetch(source: str, pattern: str, dest: Path) -> None:
    """Copy the files of folder `source` whose names match the glob `pattern` into `dest`."""
    args = ["--recursive", "--times", f"--include={pattern}", "--exclude=*"]
    run([*args, folder(source), folder(dest)], f"reading {source}")


def delete(location: str, names: Iterable[str]) -> None:
    """Delete the named files in folder `location` (rsync --delete against an empty folder)."""
    names = sorted(set(names))
    if not names:
        return
    if not is_remote(location):
        for name in names:
            Path(location, name).unlink(missing_ok=True)
        return
    with tempfile.TemporaryDirectory() as empty, tempfile.NamedTemporaryFile("w") as rules:
        rules.write("".join(f"+ /{name}\n" for name in names) + "- *\n")
        rules.flush()
        args = ["--recursive", "--delete", f"--filter=merge {rules.name}"]
        run([*args, folder(empty), folder(location)], f"removing old files from {location}")
