"""Shared by the tests that need a real server or a real browser: `archive-search serve`
(gunicorn) on a free 127.0.0.1 port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
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
def running_server(index: Path, log: Path, workers: int = 2, **env: str) -> Iterator[str]:
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
                wait_until_healthy(base, process)
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
