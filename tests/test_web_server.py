"""web.server: gunicorn options, bad settings, and the app it builds (the live server runs in
tests/test_browser.py)."""

from __future__ import annotations

from pathlib import Path

from web import create_app
from web.server import ArchiveServer, gunicorn_options, serve


def test_gunicorn_options():
    options = gunicorn_options("127.0.0.1", 8123, 0)
    assert options["bind"] == "127.0.0.1:8123"
    assert options["workers"] == 1
    assert options["accesslog"] is None  # the app logs one JSON line per request itself
    assert options["limit_request_line"] > 4096  # the app answers 414 itself below this


def test_archive_server_loads_the_given_app(web_index: Path):
    app = create_app({"INDEX_DIR": web_index})
    server = ArchiveServer(app, {**gunicorn_options("127.0.0.1", 0, 3), "not_a_setting": 1})
    assert server.load() is app
    assert server.cfg.workers == 3
    assert server.cfg.limit_request_line == 8190


def test_serve_refuses_bad_settings(monkeypatch, tmp_path: Path, capsys):
    monkeypatch.setenv("ARCHIVE_SEARCH_RATE_LIMIT", "lots")
    assert serve(index_dir=tmp_path, host="127.0.0.1", port=0, workers=1) == 2
    err = capsys.readouterr().err
    assert "ARCHIVE_SEARCH_RATE_LIMIT" in err and "warning: no index" in err


def test_trusted_proxy_sets_the_client_address(make_app):
    client = make_app(RATE_LIMIT="1/minute", TRUSTED_PROXIES="1").test_client()
    one = {"X-Forwarded-For": "203.0.113.1"}
    two = {"X-Forwarded-For": "203.0.113.2"}
    assert client.get("/api/suggest", headers=one).status_code == 200
    assert client.get("/api/suggest", headers=one).status_code == 429
    assert client.get("/api/suggest", headers=two).status_code == 200


def test_untrusted_forwarded_for_is_ignored(make_app):
    client = make_app(RATE_LIMIT="1/minute").test_client()
    assert client.get("/api/suggest", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    assert client.get("/api/suggest", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 429
