"""`archive-search serve`: gunicorn in production, Flask's development server with --debug.

Gunicorn is run programmatically (a `BaseApplication`), so the command line
stays the one entry point and the index folder reaches the app through its
config, never through a global. Gunicorn's own access log is off: the app
writes one JSON line per request (web.create_app).
"""

from __future__ import annotations

import contextlib
import ipaddress
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from search.storage import IndexUnavailable, open_index
from web import create_app
from web.settings import SettingsError

# Gunicorn rejects longer request lines itself (its own plain answer); shorter
# ones over ARCHIVE_SEARCH_MAX_URL_LENGTH get the app's JSON/HTML 414.
GUNICORN_MAX_REQUEST_LINE = 8190


class ArchiveServer(BaseApplication):
    """Gunicorn serving one already-built Flask app (loaded before forking the workers)."""

    def __init__(self, app: Flask, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    """Settings for the gunicorn master: bind, workers, limits, logging to stderr."""
    return {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        # Sync workers: one request at a time per process, so the archive's
        # searcher is never shared between threads.
        "worker_class": "sync",
        "timeout": 60,
        "graceful_timeout": 10,
        "limit_request_line": GUNICORN_MAX_REQUEST_LINE,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "archive-search",
        "control_socket_disable": True,
        "post_worker_init": warm_worker,  # gunicorn >= 25: no ~/.gunicorn socket per server
    }


def is_loopback(host: str) -> bool:
    """Whether `host` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_index(index_dir: Path) -> None:
    """Warn (not fail) when there is no usable index: /api/health answers 503 until there is."""
    try:
        open_index(index_dir)
    except IndexUnavailable as exc:
        print(f"archive-search: warning: {exc}", file=sys.stderr, flush=True)


def warm_worker(worker: Any) -> None:
    """gunicorn's post_worker_init: each worker opens the index and builds its per-generation
    structures before taking requests, so no first request spends seconds on them (work the
    query time limit cannot cut). Not in the master: forked workers must not share the open
    index files."""
    from web import get_archive

    with worker.app.wsgi().app_context(), contextlib.suppress(IndexUnavailable):
        get_archive().warm()  # without an index, requests answer 503 until there is one


def serve(
    index_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    debug: bool = False,
) -> int:
    """Run the site + API until interrupted; the exit status for the command line."""
    if debug and not is_loopback(host):
        print(
            f"archive-search: error: --debug on {host} would let anyone who can reach it run "
            "code through the Werkzeug debugger; use it on 127.0.0.1 (or ::1, localhost) only",
            file=sys.stderr,
            flush=True,
        )
        return 2
    check_index(index_dir)
    try:
        app = create_app({"INDEX_DIR": Path(index_dir)})
    except SettingsError as exc:
        print(f"archive-search: error: {exc}", file=sys.stderr, flush=True)
        return 2
    if debug:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return 0
    try:
        ArchiveServer(app, gunicorn_options(host, port, workers)).run()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
