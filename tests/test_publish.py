"""`archive-search publish`: one committed generation, segments first and the TOC last,
only new files on re-publish, clear errors, the retention rule really deleting files."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from index.publish import (
    generations_to_remove,
    manifest_name,
    publish,
    read_manifests,
    toc_name,
)
from index.readers import Parsed
from index.rsync import PublishError
from index.writer import ingest
from search import Archive
from search.storage import open_index
from web.cli import main

pytestmark = pytest.mark.skipif(
    shutil.which("rsync") is None and os.environ.get("CI") != "true",
    reason="rsync is not installed (apt-get install rsync); CI installs it",
)


def add(index: Path, items: list[Parsed]) -> int:
    report = ingest(index, items, extract=False, workers=1)
    assert report.ok, report.failed
    return report.generation


def segment_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith("MAIN_") and "LOCK" not in p.name}


def test_publish_sends_segments_then_the_toc_and_only_new_files(tmp_path, demo):
    index, dest = tmp_path / "primary", tmp_path / "published"
    first = add(index, demo[:100])
    log = tmp_path / "rsync.log"
    (tmp_path / "bin").mkdir()
    wrapper = tmp_path / "bin" / "rsync"  # logs each call, then runs the real rsync
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {shutil.which("rsync")} "$@"\n')
    wrapper.chmod(0o755)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
        done = publish(index, str(dest))
    assert done.generation == first and done.documents == 100 and not done.already
    # One rsync for every file but the TOC, then one for the TOC alone.
    sends = [line for line in log.read_text().splitlines() if "--files-from" in line]
    assert len(sends) == 2
    listings = [Path(line.split("--files-from=")[1].split()[0]) for line in sends]
    assert all(not p.exists() for p in listings)  # temporary lists are cleaned up
    assert segment_files(dest) == segment_files(index)
    assert (dest / toc_name(first)).is_file() and (dest / "archive-search.json").is_file()
    manifest = json.loads((dest / manifest_name(first)).read_text())
    assert set(manifest["files"]) == segment_files(index) and manifest["documents"] == 100
    assert Archive(dest).search("")["total"] == 100

    before = {name: (dest / name).stat().st_ino for name in segment_files(dest)}
    second = add(index, demo[100:150])
    again = publish(index, str(dest))
    assert again.generation == second > first
    new_files = segment_files(index) - set(before)
    assert new_files and again.files_sent == len(new_files) + 1  # + the manifest
    for name, inode in before.items():
        if name in segment_files(index):
            assert (dest / name).stat().st_ino == inode  # not sent again
    assert Archive(dest).search("")["total"] == 150
    assert publish(index, str(dest)).already


def test_clear_errors(tmp_path, demo, capsys):
    index = tmp_path / "primary"
    with pytest.raises(PublishError, match="no committed generation"):
        from index.writer import ingest as run_ingest

        run_ingest(index, [], extract=False)  # creates generation 0, commits nothing
        publish(index, str(tmp_path / "dest"))
    add(index, demo[:20])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(PublishError, match="cannot write to"):
        publish(index, str(blocker / "dest"))
    assert main(["publish", "--index", str(index), str(blocker / "dest")]) == 1
    assert "cannot write to" in capsys.readouterr().err
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", str(tmp_path / "empty"))  # no rsync anywhere on it
        assert main(["publish", "--index", str(index), str(tmp_path / "dest")]) == 1
    assert "rsync is not installed" in capsys.readouterr().err
    assert main(["publish", "--index", str(tmp_path / "none"), str(tmp_path / "dest")]) == 1
    assert "no index at" in capsys.readouterr().err
    assert main(["publish", "--keep", "0", "--index", str(index), str(tmp_path / "d")]) == 2
    # A folder published from another index (a rebuilt primary restarts at generation 1).
    other = tmp_path / "other"
    add(other, demo[20:40])
    add(other, demo[40:60])
    publish(other, str(tmp_path / "taken"))
    with pytest.raises(PublishError, match="another index"):
        publish(index, str(tmp_path / "taken"))


def test_publish_during_an_ingest_sends_the_last_committed_generation(tmp_path, demo):
    index, dest = tmp_path / "primary", tmp_path / "published"
    committed = add(index, demo[:40])
    release = threading.Event()
    reached = threading.Event()

    def slow_items():
        # The writer reads 200 items ahead, commits three batches of 60 and then
        # waits here for the look-ahead item of the second batch.
        yield from demo[40:240]
        reached.set()
        release.wait(30)
        yield from demo[240:]

    report = {}
    worker = threading.Thread(
        target=lambda: report.update(
            r=ingest(index, slow_items(), extract=False, batch_size=60, workers=1)
        )
    )
    worker.start()
    try:
        assert reached.wait(30)
        mid = open_index(index).latest_generation()
        assert mid > committed  # the ingest committed its first batch and is still running
        done = publish(index, str(dest))
        assert done.generation == mid and done.documents == 220
        assert Archive(dest).search("")["total"] == 220
    finally:
        release.set()
        worker.join(60)
    assert report["r"].ok and publish(index, str(dest)).documents == 293


@pytest.mark.parametrize(
    ("ages", "tocs", "keep", "max_age", "expected"),
    [
        # generation: publish time (seconds ago); the newest `keep` always stay
        ({1: 500, 2: 400, 3: 300, 4: 10}, {1, 2, 3, 4}, 2, 100, [1, 2]),
        # 2 was replaced (by 3) only 50 s ago: kept for pages still reading it
        ({1: 500, 2: 400, 3: 50, 4: 10}, {1, 2, 3, 4}, 2, 100, [1]),
        ({1: 500, 2: 400}, {1, 2}, 5, 0, []),
        # 3's TOC never arrived (an interrupted publish): removed once old
        ({1: 500, 2: 400, 3: 300}, {1, 2}, 2, 100, [3]),
        ({1: 500, 2: 400, 3: 30}, {1, 2}, 2, 100, []),
    ],
)
def test_retention_rule(ages, tocs, keep, max_age, expected):
    manifests = {g: {"generation": g, "published": 1000.0 - age} for g, age in ages.items()}
    assert generations_to_remove(manifests, tocs, keep, max_age, now=1000.0) == expected


def test_retention_really_deletes_old_generations(tmp_path, demo):
    index, dest = tmp_path / "primary", tmp_path / "published"
    generations = []
    for start in range(0, 250, 50):
        add(index, demo[start : start + 50])
        generations.append(publish(index, str(dest), keep=2, max_age=0).generation)
    manifests, tocs = read_manifests(str(dest))
    assert sorted(tocs) == sorted(manifests) == generations[-2:]
    kept_files = {name for m in manifests.values() for name in m["files"]}
    assert segment_files(dest) == kept_files  # nothing else left over
    for gone in generations[:-2]:
        assert not (dest / toc_name(gone)).exists()
        assert not (dest / manifest_name(gone)).exists()
    # the segments of the newest generation were never touched
    assert Archive(dest).search("")["total"] == 250


def test_publish_to_and_pull_from_a_remote_rsync_daemon(tmp_path, demo):
    """The remote path (listing, fetching manifests, deleting) through a real rsync daemon
    on 127.0.0.1, as `publish rsync://host/module/` would use it."""
    import socket
    import subprocess
    import time

    from index.replica import pull

    index, module, replica = tmp_path / "primary", tmp_path / "module", tmp_path / "replica"
    module.mkdir()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    owner = "uid = root\ngid = root\n" if os.geteuid() == 0 else ""
    config = tmp_path / "rsyncd.conf"
    config.write_text(
        f"pid file = {tmp_path / 'rsyncd.pid'}\naddress = 127.0.0.1\nuse chroot = no\n{owner}"
        f"[published]\npath = {module}\nread only = no\n"
    )
    daemon = subprocess.Popen(
        ["rsync", "--daemon", "--no-detach", f"--port={port}", f"--config={config}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    remote = f"rsync://127.0.0.1:{port}/published/"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "rsync daemon did not start"
                time.sleep(0.05)
        generations = []
        for start in range(0, 200, 50):
            add(index, demo[start : start + 50])
            generations.append(publish(index, remote, keep=2, max_age=0).generation)
            assert pull(remote, replica, keep=2, max_age=0) == generations[-1]
        _, tocs = read_manifests(remote)
        assert sorted(tocs) == generations[-2:]  # older ones deleted on the remote side
        assert {p.name for p in module.iterdir() if p.name.startswith("_MAIN_")} == {
            toc_name(g) for g in generations[-2:]
        }
        assert Archive(replica).search("")["total"] == 200
    finally:
        daemon.terminate()
        daemon.wait(10)
