"""Crashes and full disks: the index always opens at a committed generation, and a rerun
finishes the work. Slow (a few minutes), so marked; CI still runs it.

The kill loop ingests half as many articles in batches half as large as the disk test (the
same ten commits to land between, in half the time) and kills twelve times: a rerun skips
the articles already committed, so once most are in, each further kill lands in the same
rerun's reading or its last batch.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.records import article_from_dict
from search.export import iter_records
from search.storage import open_index

ARTICLES = 5_000
BATCH = 500
KILLED_ARTICLES = 2_500  # the kill loop's source: the first ones, in batches of KILLED_BATCH
KILLED_BATCH = 250
KILLS = 12

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def source(tmp_path_factory, corpus_rows) -> tuple[Path, dict[str, dict]]:
    path = tmp_path_factory.mktemp("crash") / "reuters-5000.jsonl"
    rows = corpus_rows("reuters21578", ARTICLES)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path, {r["id"]: article_from_dict(r).to_dict() for r in rows}


def ingest_command(index: Path, source: Path, batch: int = BATCH) -> list[str]:
    return [
        sys.executable, "-m", "web.cli", "ingest", "--index", str(index), "--no-extract",
        "--batch-size", str(batch), "--lock-timeout", "30", str(source),
    ]  # fmt: skip


def check_committed_state(index: Path, expected: dict[str, dict], batch: int = BATCH) -> int:
    """The index opens, holds whole batches only, and every record is the source's."""
    count = 0
    for record in iter_records(open_index(index)):
        want = expected[record["id"]]
        assert record["title"] == want["title"] and record["body"] == want["body"]
        count += 1
    assert count % batch == 0 or count == len(expected), f"{count} is not a committed batch"
    return count


def test_sigkill_at_random_moments_never_corrupts(tmp_path, source):
    whole, everything = source
    expected = dict(list(everything.items())[:KILLED_ARTICLES])
    path = tmp_path / "first.jsonl"
    lines = whole.read_text(encoding="utf-8").splitlines(keepends=True)[:KILLED_ARTICLES]
    path.write_text("".join(lines), encoding="utf-8")
    index = tmp_path / "index"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    start = time.monotonic()
    subprocess.run(ingest_command(tmp_path / "timing", path, KILLED_BATCH), env=env, check=True,
                   capture_output=True)  # fmt: skip
    full_run = time.monotonic() - start
    rng = random.Random(20261128)
    counts = []
    for _ in range(KILLS):
        proc = subprocess.Popen(
            ingest_command(index, path, KILLED_BATCH), env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        time.sleep(rng.uniform(0.2, full_run * 0.8))
        os.killpg(proc.pid, signal.SIGKILL)  # the ingest and any worker processes
        proc.wait()
        if (index / "archive-search.json").exists():
            counts.append(check_committed_state(index, expected, KILLED_BATCH))
    done = subprocess.run(
        ingest_command(index, path, KILLED_BATCH), env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert check_committed_state(index, expected, KILLED_BATCH) == KILLED_ARTICLES
    assert counts == sorted(counts)  # committed work is never lost


def test_disk_full_is_a_clear_error_and_the_index_survives(tmp_path, source):
    path, expected = source
    mountpoint = tmp_path / "small"
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mountpoint)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a small tmpfs here: {mounted.stderr!r}")
    try:
        index = mountpoint / "index"
        first = {k: expected[k] for k in list(expected)[:BATCH]}
        small = tmp_path / "first.jsonl"
        small.write_text("".join(json.dumps(r) + "\n" for r in first.values()), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        ok = subprocess.run(ingest_command(index, small), env=env, capture_output=True, text=True)
        assert ok.returncode == 0, ok.stderr
        full = subprocess.run(ingest_command(index, path), env=env, capture_output=True, text=True)
        assert full.returncode == 1
        assert "No space left" in full.stderr or "disk is full" in full.stderr
        assert "Traceback" not in full.stderr
        assert check_committed_state(index, expected) >= BATCH
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)
