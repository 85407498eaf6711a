"""Shared by the tests that need a real server or a real browser: `archive-search serve`
(gunicorn) on a free 127.0.0.1 port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
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


def wait_until_healthy(base: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
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


@contextmanager
def running_server(
    index: Path, log: Path, workers: int = 2, startup_timeout: float = 30.0, **env: str
) -> Iterator[str]:
    """`python -m web.cli serve` (gunicorn) on a free port, yielding its base URL, with the rate
    limit off unless `env` (extra environment variables, e.g. ARCHIVE_SEARCH_ALLOWED_ORIGINS)
    says otherwise. Its output goes to `log`, quoted in the error if it never gets healthy."""
    port = free_port()
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    environment = {**os.environ, "PYTHONPATH": python_path, "ARCHIVE_SEARCH_RATE_LIMIT": "off"}
    environment.update(env)
    command = [sys.executable, "-m", "web.cli", "serve", "--index", str(index),
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]  # fmt: skip
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
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# The reverse proxy docs/RELIABILITY.md documents against slow clients: nginx reads (and
# times out) whole request headers and bodies itself and hands gunicorn only complete
# requests, so a client trickling its headers holds an nginx connection, not a worker.
NGINX_CONFIG = """
daemon off;
worker_processes 1;
{user}
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/nginx-body;
    proxy_temp_path {folder}/nginx-proxy;
    fastcgi_temp_path {folder}/nginx-fastcgi;
    uwsgi_temp_path {folder}/nginx-uwsgi;
    scgi_temp_path {folder}/nginx-scgi;
    client_header_timeout 10s;
    client_body_timeout 10s;
    client_max_body_size 64k;
    send_timeout 10s;
    keepalive_timeout 10s;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_read_timeout 30s;
        }}
    }}
}}
"""


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nginx did not listen on {port} within {timeout} s")


@contextmanager
def running_nginx(upstream: str, folder: Path) -> Iterator[str]:
    """nginx (NGINX_CONFIG) on a free 127.0.0.1 port in front of `upstream`, yielding its base
    URL; FileNotFoundError when nginx is not installed. The server behind it should trust one
    proxy (ARCHIVE_SEARCH_TRUSTED_PROXIES=1) so each client keeps its own rate limit."""
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        raise FileNotFoundError("nginx is not installed (Debian: apt-get install -y nginx)")
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(NGINX_CONFIG.format(user=user, folder=folder, port=port, upstream=upstream))
    process = subprocess.Popen([binary, "-c", str(config), "-p", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium; fails (never skips) when Debian's package is missing."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), (
        f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` (Debian) is required"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def browser_fixture():
    """A module-scoped `browser` fixture (a `chromium()`), for a test module to take as its own
    with `browser = browser_fixture()`. Module scope: Playwright's sync API allows one running
    instance per thread, so each browser test module starts (and stops) its own."""

    @pytest.fixture(scope="module")
    def browser() -> Iterator[Browser]:
        with chromium() as instance:
            yield instance

    return browser


@contextmanager
def recording_page(browser: Browser, **context_options: object) -> Iterator[Page]:
    """A page in a fresh browser context (`context_options` as for `Browser.new_context`) that
    dismisses every JavaScript dialog and records its message in `page.dialogs` (an XSS payload
    that runs opens one). The context is closed on exit."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]

    def on_dialog(dialog) -> None:
        page.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield page
    finally:
        context.close()
