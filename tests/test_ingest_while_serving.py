"""Ingest while serving: readers see the old or the new generation, never an error or half an
article, and counts never go down while a large ingest commits again and again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest

ROOT = Path(__file__).resolve().parents[1]

ARTICLES = 3_000
BATCH = 250

pytestmark = pytest.mark.slow


def fetch(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def test_readers_never_see_errors_or_shrinking_counts(tmp_path, corpus_rows, running_server):
    rows = corpus_rows("reuters21578", ARTICLES + 100)
    expected = {r["id"]: article_from_dict(r) for r in rows}
    index = tmp_path / "index"
    first = [Parsed("seed", expected[r["id"]]) for r in rows[:100]]
    assert ingest(index, first, extract=False).ok  # the server needs an index to open
    source = tmp_path / "more.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows[100:]), encoding="utf-8")

    observed: list[list[int]] = [[], []]
    problems: list[str] = []
    stop = threading.Event()

    def reader(slot: int, base: str) -> None:
        while not stop.is_set():
            status, health = fetch(f"{base}/api/health")
            if status != 200:
                problems.append(f"health {status}")
                continue
            observed[slot].append(health["documents"])
            status, answer = fetch(f"{base}/api/search?q=said&sort=newest&per_page=5")
            if status != 200:
                problems.append(f"search {status}")
                continue
            for hit in answer["results"]:
                status, record = fetch(f"{base}/api/articles/{hit['id']}")
                want = expected[hit["id"]]
                if status != 200 or (record["title"], record["body"]) != (want.title, want.body):
                    problems.append(f"article {hit['id']}: {status}")

    with running_server(index, tmp_path / "serve.log") as base:
        threads = [threading.Thread(target=reader, args=(i, base)) for i in range(2)]
        for thread in threads:
            thread.start()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-m", "web.cli", "ingest", "--index", str(index), "--no-extract",
             "--batch-size", str(BATCH), str(source)],
            env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        stop.set()
        for thread in threads:
            thread.join(60)
        final = fetch(f"{base}/api/health")[1]["documents"]
    assert done.returncode == 0, done.stderr
    assert problems == []
    for counts in observed:
        assert counts == sorted(counts), "a reader saw the document count go down"
    assert len(set(observed[0] + observed[1])) >= 3, "readers should see several generations"
    assert final == ARTICLES + 100
