"""A real `archive-search serve` (gunicorn) on a free 127.0.0.1 port, nginx in front of it
configured exactly as docs/DEPLOY.md says (only ports and paths changed), and Debian's
Chromium driven by Playwright.

Used by the bench scripts (`make soak`, `make attack`, bench/widget.py) and, through the
`running_server`, `running_nginx` and `browser` fixtures of tests/conftest.py, by the tests:
one way to start each.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_DOC = ROOT / "docs" / "DEPLOY.md"
CHROMIUM = Path(os.environ.get("ARCHIVE_SEARCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(base: str, process: subprocess.Popen, timeout: float) -> None:
    """Until /api/health answers 200. The deadline only bounds a server that never starts: on
    a loaded machine, importing the app in a new process can take tens of seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"archive-search serve exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"archive-search serve did not become healthy within {timeout} s")


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_server(
    index: Path, log: Path, workers: int = 2, startup_timeout: float = 120.0, **env: str
) -> Iterator[str]:
    """`python -m web.cli serve` on a free port, yielding its base URL, with the rate limit off
    unless `env` (extra environment variables, e.g. ARCHIVE_SEARCH_ALLOWED_ORIGINS) says
    otherwise. Its output goes to `log`, quoted in the error if it never gets healthy."""
    port = free_port()
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    environment = {**os.environ, "PYTHONPATH": python_path, "ARCHIVE_SEARCH_RATE_LIMIT": "off"}
    environment.update(env)
    command = [sys.executable, "-m", "web.cli", "serve", "--index", str(index), "--host",
               "127.0.0.1", "--port", str(port), "--workers", str(workers)]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=output)
        base = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_until_healthy(base, process, startup_timeout)
            except RuntimeError as exc:
                output.flush()
                raise RuntimeError(f"{exc}; its output:\n{log.read_text()}") from None
            yield base
        finally:
            stop(process)


def deploy_site(folder: Path, port: int, upstream_port: int) -> str:
    """docs/DEPLOY.md's nginx site, listening on 127.0.0.1:`port` in front of `upstream_port`,
    with its cache and logs under `folder`. Fails if the doc no longer has what is replaced."""
    match = re.search(r"```nginx\n(.*?)```", DEPLOY_DOC.read_text(encoding="utf-8"), re.S)
    if match is None:
        raise ValueError(f"no ```nginx block in {DEPLOY_DOC}")
    site = match[1]
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{port};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream_port};",
        "/var/cache/nginx/archive-search": str(folder / "cache"),
        "/var/log/nginx/": f"{folder}/logs/",
    }
    for old, new in replacements.items():
        if old not in site:
            raise ValueError(f"docs/DEPLOY.md's nginx site no longer has {old!r}")
        site = site.replace(old, new)
    return site


def nginx_main(folder: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf puts around a site, with paths of our own."""
    temp = folder / "temp"
    user = "user root;" if os.geteuid() == 0 else ""  # workers that can read the folder
    return f"""{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""


@contextmanager
def running_nginx(upstream: str, folder: Path) -> Iterator[str]:
    """nginx with docs/DEPLOY.md's site on a free 127.0.0.1 port in front of `upstream` (a base
    URL), in the foreground with its own prefix, pid, logs and temp paths under `folder`;
    yields its base URL. FileNotFoundError when nginx is not installed. The server behind it
    should trust one proxy (ARCHIVE_SEARCH_TRUSTED_PROXIES=1), as the doc says."""
    binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if binary is None:
        raise FileNotFoundError("nginx is not installed (Debian: apt-get install -y nginx)")
    folder = folder / "nginx"
    for sub in ("logs", "cache", "temp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = folder / "archive-search.conf"
    site.write_text(deploy_site(folder, port, urlsplit(upstream).port), encoding="utf-8")
    config = folder / "nginx.conf"
    config.write_text(nginx_main(folder, site), encoding="utf-8")
    log = folder / "logs" / "error.log"
    command = [binary, "-p", str(folder), "-c", str(config), "-e", str(log)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t refused the config: {checked.stderr}")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited: {log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"nginx did not listen on {port}: {log.read_text()}"
                    ) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process, timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright's sync API, one per thread). Never `playwright
    install`: it drives Debian's package at CHROMIUM."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
