"""Replicas: a folder filled only by publish/replica, switched between requests with no
failed request, pages pinned to their generation, and a pull killed half-way."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from index.publish import publish, toc_name
from index.readers import Parsed
from index.records import article_from_dict
from index.replica import pull
from index.writer import ingest
from search import Archive
from search.pinned import GenerationGone, GenerationNotHere

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    shutil.which("rsync") is None and os.environ.get("CI") != "true",
    reason="rsync is not installed (apt-get install rsync); CI installs it",
)


def add(index: Path, items: list[Parsed]) -> int:
    report = ingest(index, items, extract=False, workers=1)
    assert report.ok, report.failed
    return report.generation


def newer_articles(count: int, tag: str) -> list[Parsed]:
    """Articles dated after every demo article: they go to the top of a newest-first list."""
    return [
        Parsed(
            f"{tag}:{i}",
            article_from_dict(
                {
                    "id": f"{tag}-{i}",
                    "title": f"Late news {tag} {i}",
                    "body": "Minsk today.",
                    "date": f"2030-01-{i + 1:02d}T10:00:00",
                }  # fmt: skip
            ),
        )
        for i in range(count)
    ]


def ids(answer: dict) -> list[str]:
    return [hit["id"] for hit in answer["results"]]


def test_pages_stay_on_their_generation_across_publishes(tmp_path, demo):
    index, dest = tmp_path / "primary", tmp_path / "replica"
    add(index, demo[:150])
    first = publish(index, str(dest)).generation
    archive = Archive(dest)
    full = ids(archive.search("", sort="newest", per_page=100)) + ids(
        archive.search("", sort="newest", per_page=100, page=2)
    )
    assert len(full) == 150
    page1 = archive.search("", sort="newest", per_page=10)
    assert page1["generation"] == first and ids(page1) == full[:10]

    add(index, newer_articles(5, "late"))
    second = publish(index, str(dest)).generation
    assert archive.health()["generation"] == second  # switched between requests
    seen = ids(page1)
    for page in range(2, 16):
        answer = archive.search("", sort="newest", per_page=10, page=page, generation=first)
        assert answer["generation"] == first
        seen += ids(answer)
    assert seen == full  # 15 pages: no repeat, no gap
    # Unpinned, page 2 is read on the new generation: 5 results of page 1 come back.
    unpinned = ids(archive.search("", sort="newest", per_page=10, page=2))
    assert len(set(unpinned) & set(ids(page1))) == 5

    # Retention removes the first generation's files; the open one goes on answering.
    add(index, newer_articles(3, "later"))
    publish(index, str(dest), keep=1, max_age=0)
    assert not (dest / toc_name(first)).exists()
    again = archive.search("", sort="newest", per_page=10, page=3, generation=first)
    assert ids(again) == full[20:30]
    # A server that never opened it says so clearly: start again from page 1.
    with pytest.raises(GenerationGone, match="start again"):
        Archive(dest).search("", page=2, generation=first)
    with pytest.raises(GenerationNotHere):
        Archive(dest).search("", page=2, generation=second + 100)


def test_api_answers_410_and_425_for_generations_it_cannot_serve(tmp_path, demo):
    from web import create_app

    index, dest = tmp_path / "primary", tmp_path / "replica"
    add(index, demo[:30])
    first = publish(index, str(dest)).generation
    add(index, demo[30:60])
    publish(index, str(dest), keep=1, max_age=0)
    client = create_app({"INDEX_DIR": dest, "RATE_LIMIT": "off", "TESTING": True}).test_client()
    answer = client.get("/api/search?per_page=5").get_json()
    assert answer["generation"] > first and answer["total"] == 60
    gone = client.get(f"/api/search?page=2&generation={first}")
    assert gone.status_code == 410
    assert gone.get_json()["error"]["parameter"] == "generation"
    early = client.get(f"/api/search?page=2&generation={answer['generation'] + 1}")
    assert early.status_code == 425 and early.headers["Retry-After"] == "1"
    page = client.get("/?q=&per_page=5")
    assert f"generation={answer['generation']}" in page.get_data(as_text=True)  # paging links
    moved = client.get(f"/?q=&per_page=5&page=2&generation={first}")
    assert moved.status_code == 302 and "generation" not in moved.headers["Location"]
    assert moved.headers["Location"] == "/?per_page=5"  # page 1 of the same search


def test_published_alias_file_travels_with_the_generation(tmp_path, demo):
    index, dest, bare = tmp_path / "primary", tmp_path / "replica", tmp_path / "other"
    aliases = tmp_path / "aliases.toml"
    aliases.write_text('[place]\n"Minsk" = ["Qwertyville"]\n')
    add(index, [*demo[:20], *newer_articles(3, "minsk")])
    generation = publish(index, str(dest), aliases=aliases).generation
    assert (dest / f"aliases-{generation}.toml").read_text() == aliases.read_text()
    publish(index, str(bare))  # published without the archive's alias file
    assert os.environ.get("ARCHIVE_SEARCH_ALIASES") is None
    assert Archive(dest).search("qwertyville")["total"] >= 3
    assert Archive(bare).search("qwertyville")["total"] == 0


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


@pytest.mark.slow
def test_served_replica_switches_generation_with_no_failed_request(tmp_path, demo, running_server):
    index, published, replica = tmp_path / "primary", tmp_path / "published", tmp_path / "replica"
    add(index, demo[:50])
    publish(index, str(published))
    pull(str(published), replica)
    failures: list[str] = []
    stop = threading.Event()
    with running_server(replica, tmp_path / "serve.log") as base:

        def hammer() -> None:
            while not stop.is_set():
                for path in ("/api/search?q=the", "/api/search?q=police&sort=newest", "/"):
                    try:
                        with urllib.request.urlopen(base + path, timeout=10) as response:
                            response.read()
                    except Exception as exc:  # any failure is what this test counts
                        failures.append(f"{path}: {exc}")

        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            seen = []
            for start in range(50, 290, 60):
                generation = add(index, demo[start : start + 60])
                publish(index, str(published))
                assert pull(str(published), replica) == generation
                deadline = time.monotonic() + 10
                while get_json(base + "/api/health")[1].get("generation") != generation:
                    assert time.monotonic() < deadline, "the server did not switch within 10 s"
                    time.sleep(0.05)
                seen.append(get_json(base + "/api/search?per_page=1")[1]["total"])
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)
    assert failures == []
    assert seen == [110, 170, 230, 290]


@pytest.mark.slow
def test_replica_killed_while_receiving_keeps_its_last_complete_generation(tmp_path, demo):
    index, published, replica = tmp_path / "primary", tmp_path / "published", tmp_path / "replica"
    add(index, demo[:20])
    first = publish(index, str(published)).generation
    assert pull(str(published), replica) == first
    second = add(index, demo[20:])
    publish(index, str(published))
    command = [sys.executable, "-m", "web.cli", "replica", "--from", str(published),
               "--index", str(replica), "--bwlimit", "300"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not any(p.name.startswith(".MAIN_") for p in replica.iterdir()):
            assert time.monotonic() < deadline and process.poll() is None, "no transfer seen"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the replica and its rsync, mid-file
        process.wait()
    assert any(p.name.startswith(".MAIN_") for p in replica.iterdir())  # a half-received file
    assert not (replica / toc_name(second)).exists()
    archive = Archive(replica)
    assert archive.health()["generation"] == first
    assert archive.search("")["total"] == 20
    assert pull(str(published), replica) == second  # the next round finishes the copy
    assert not any(p.name.startswith(".MAIN_") for p in replica.iterdir())
    assert archive.health()["generation"] == second
    assert archive.search("")["total"] == 293
