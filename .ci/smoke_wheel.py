"""The wheel a user installs, on its own: a clean venv holding only the runtime dependencies
(versions from requirements.lock) and the wheel, used from a folder outside the source tree.

Runs `archive-search demo`; `ingest` of one file per reader format (page text, JSONL,
.jsonl.gz, HTML, RSS, Atom); `search --json`; and `serve`, asking /api/health, /api/search,
/widget.js and the search page. Standard library only, run by the system Python:

    python3 .ci/smoke_wheel.py dist/archive_search-0.1.0-py3-none-any.whl [--uv .tools/bin/uv]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
INPUTS = {  # file -> the articles it holds (a teaser counts: it is indexed as one)
    "smoke/page.txt": 2,
    "smoke/articles.jsonl.gz": 2,
    "readers/good.jsonl": 3,
    "readers/article.html": 1,
    "readers/feed.rss": 3,
    "readers/feed.atom": 2,
}
DEMO_ARTICLES = 293
DEV_ONLY = ("pytest", "ruff", "playwright", "hypothesis", "schemathesis")


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    print("+", " ".join(str(c) for c in command), flush=True)
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True,
                          text=True)  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def check(condition: bool, message: str) -> None:
    if not condition:
        sys.exit(f"smoke test failed: {message}")


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.status, answer.headers.get("Content-Type", ""), answer.read()


def install(uv: str, wheel: Path, venv: Path, work: Path) -> Path:
    run(uv, "venv", "--quiet", "--python", sys.executable, venv, cwd=work)
    python = venv / "bin" / "python"
    lock = REPO / "requirements.lock"
    run(
        uv,
        "pip",
        "install",
        "--quiet",
        "--compile-bytecode",
        "--python",
        python,
        "-c",
        lock,
        wheel,
        cwd=work,
    )
    installed = run(uv, "pip", "freeze", "--python", python, cwd=work).lower()
    for name in DEV_ONLY:
        check(f"\n{name}==" not in f"\n{installed}", f"{name} (a dev tool) was installed")
    where = run(python, "-c", "import web; print(web.__file__)", cwd=work).strip()
    check(str(venv) in where, f"web imported from {where}, not from the venv")
    return venv / "bin" / "archive-search"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_and_ask(command: Path, work: Path, env: dict[str, str]) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (work / "serve.log").open("w")
    server = subprocess.Popen([str(command), "serve", "--port", str(port), "--workers", "1"],
                              cwd=work, env=env, stdout=log, stderr=log)  # fmt: skip
    try:
        deadline = time.monotonic() + 120  # bounds a server that never starts
        while True:
            try:
                status, _, body = fetch(f"{base}/api/health")
                break
            except OSError:
                check(server.poll() is None and time.monotonic() < deadline,
                      f"serve did not start: {(work / 'serve.log').read_text()}")  # fmt: skip
                time.sleep(0.3)
        health = json.loads(body)
        check(status == 200 and health["documents"] == DEMO_ARTICLES, f"/api/health: {health}")
        status, kind, body = fetch(f"{base}/api/search?q=election")
        found = json.loads(body)
        check(status == 200 and "json" in kind and found["total"] > 0, f"/api/search: {found}")
        status, kind, body = fetch(f"{base}/widget.js")
        check(status == 200 and "javascript" in kind and b"customElements" in body, "/widget.js")
        status, kind, body = fetch(f"{base}/?q=election")
        check(status == 200 and "html" in kind and b"/static/style.css" in body, "search page")
        status, kind, _ = fetch(f"{base}/static/style.css")
        check(status == 200 and "css" in kind, "static files")
        print(f"serve: /api/health, /api/search, /widget.js, / answer on {base}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path)
    parser.add_argument("--uv", default=shutil.which("uv") or str(REPO / ".tools" / "bin" / "uv"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="archive-search-smoke-") as tmp:
        work = Path(tmp)  # outside the source tree: nothing there is importable
        command = install(args.uv, args.wheel.resolve(), work / "venv", work)
        unset = ("ARCHIVE_SEARCH_", "PYTHON")
        env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}

        demo = work / "demo"
        run(command, "demo", "--index", demo, cwd=work, env=env)
        stats = json.loads(run(command, "stats", "--index", demo, "--json", cwd=work, env=env))
        check(stats["documents"] == DEMO_ARTICLES, f"demo holds {stats['documents']} articles")

        for name in INPUTS:
            shutil.copy(DATA / name, work / Path(name).name)
        files = [Path(name).name for name in INPUTS]
        index = work / "index"
        out = run(command, "ingest", "--index", index, *files, cwd=work, env=env)
        expected = sum(INPUTS.values())
        check(f"added {expected}," in out and "failed 0" in out, f"ingest said: {out}")
        for query, wanted in (("grodno", 1), ("potash", 1), ("customs", 1)):
            answer = json.loads(run(command, "search", "--index", index, "--json", query,
                                    cwd=work, env=env))  # fmt: skip
            check(answer["total"] >= wanted, f"search {query!r}: {answer['total']} results")
        stats = json.loads(run(command, "stats", "--index", index, "--json", cwd=work, env=env))
        check(stats["documents"] == expected, f"the index holds {stats['documents']} articles")
        print(f"ingest: {expected} articles from {len(INPUTS)} formats; search --json answers")

        serve_and_ask(command, work, {**env, "ARCHIVE_SEARCH_INDEX": str(demo)})
    print("wheel smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
