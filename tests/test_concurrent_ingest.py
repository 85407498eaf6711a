"""Two ingests at once are serialized by the lock: both inputs are present at the end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from index.records import article_from_dict
from search.export import iter_records
from search.storage import open_index

ROOT = Path(__file__).resolve().parents[1]


def test_two_concurrent_ingests_lose_no_update(tmp_path, corpus_rows):
    rows = corpus_rows("reuters21578", 1_200)
    halves = [rows[:600], rows[600:]]
    paths = []
    for i, half in enumerate(halves):
        path = tmp_path / f"part{i}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in half), encoding="utf-8")
        paths.append(path)
    index = tmp_path / "index"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "web.cli",
                "ingest",
                "--index",
                str(index),
                "--no-extract",
                "--batch-size",
                "100",
                str(path),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for path in paths
    ]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "added 600," in out
    stored = {r["id"]: r for r in iter_records(open_index(index))}
    assert stored.keys() == {r["id"] for r in rows}
    assert all(stored[r["id"]]["body"] == article_from_dict(r).body for r in rows)
