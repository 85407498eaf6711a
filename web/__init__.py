"""The Flask app factory: settings, the archive, error handling, security, blueprints.

`create_app(config)` takes settings from the environment (web.settings) and
lets `config` override them, Flask-tutorial style; tests pass a tmp index
folder as `INDEX_DIR` (or a ready object as `ARCHIVE`). The search archive is
opened lazily on first use and kept for the life of the process: it refreshes
itself when an ingest commits a new generation, and when the index is missing
every request that needs it answers 503 until the index appears.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from web import settings


class ArchiveHolder:
    """Opens `search.Archive` once, retrying on later requests while the index is unusable."""

    def __init__(self, index_dir: Path, archive: Any | None = None, time_limit: float = 2.0):
        self.index_dir = Path(index_dir)
        self._archive = archive
        self._time_limit = time_limit
        self._lock = threading.Lock()

    def get(self) -> Any:
        if self._archive is None:
            with self._lock:
                if self._archive is None:
                    from search import Archive  # the read side; raises IndexUnavailable

                    self._archive = Archive(self.index_dir, time_limit=self._time_limit)
        return self._archive


def get_archive() -> Any:
    """The current app's `search.Archive` (raises `IndexUnavailable` while there is none)."""
    return current_app.extensions["archive_search"].get()


def time_left() -> float:
    """Seconds of ARCHIVE_SEARCH_QUERY_TIME_LIMIT this request has left: every search one
    request runs (a page's results, timeline and trends) shares one budget. 0.0 means no
    limit is configured (the archive reads 0 as none)."""
    limit = current_app.config["QUERY_TIME_LIMIT"]
    if not limit:
        return 0.0
    started = g.get("request_started") or time.perf_counter()
    return max(limit - (time.perf_counter() - started), 1e-6)  # never 0, which means none


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    """One structured JSON line per request on stderr: method, path, status, duration_ms."""
    started = g.get("request_started")
    duration = (time.perf_counter() - started) * 1000 if started else 0.0
    line = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round(duration, 2),
    }
    print(json.dumps(line), file=sys.stderr, flush=True)
    return response


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the site + API. `config` overrides the ARCHIVE_SEARCH_* environment settings."""
    from web import (
        admin,
        analytics,
        api,
        entity_pages,
        errors,
        feeds,
        i18n,
        pages,
        security,
        trends,
        widget,
    )

    app = Flask(__name__)
    app.config.update(settings.load_settings())
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    if config:
        app.config.update(settings.normalize(config))
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.extensions["archive_search"] = ArchiveHolder(
        app.config["INDEX_DIR"], app.config.get("ARCHIVE"), app.config["QUERY_TIME_LIMIT"]
    )
    analytics.init_app(app)
    app.before_request(_start_timer)
    i18n.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(widget.bp)
    app.register_blueprint(trends.bp)
    app.register_blueprint(entity_pages.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(admin.bp)
    app.after_request(_log_request)
    return app
