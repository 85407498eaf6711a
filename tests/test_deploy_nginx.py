"""docs/DEPLOY.md's nginx site, run as written (only ports and paths changed) in front of a
real `archive-search serve`: pages and API answer through it, the rate limit keys on the
client address nginx forwards, the app's CSP and CORS headers arrive intact, and /widget.js
is cached by nginx and revalidated by its ETag.

nginx runs in the foreground with its own prefix, pid, logs and temp paths under tmp_path,
on 127.0.0.1 free ports; clients connect from other loopback addresses (127.0.0.2, ...).
"""

from __future__ import annotations

import http.client
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest

from bench.serving import DEPLOY_DOC as DOC
from bench.serving import deploy_site

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 5  # requests per minute per client, for this test
CHEAP = "/api/suggest?q=min"  # a limited request (health checks are never limited)
HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
           "Referrer-Policy", "Access-Control-Allow-Origin", "Cache-Control")  # fmt: skip
CLIENTS = (f"127.0.1.{n}" for n in itertools.count(1))  # a fresh allowance for each request


def fresh() -> str:
    """A client address never used before: these checks must not meet the rate limit."""
    return next(CLIENTS)


class Answer(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        return json.loads(self.body)


def get(port: int, path: str, client: str, **headers: str) -> Answer:
    """GET from the loopback address `client` (the rate limit's key, if nginx forwards it)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(client, 0)
    )
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


@pytest.fixture(scope="module")
def app_port(web_index: Path, tmp_path_factory, running_server) -> Iterator[int]:
    log = tmp_path_factory.mktemp("deploy-app") / "serve.log"
    env = {"ARCHIVE_SEARCH_TRUSTED_PROXIES": "1", "ARCHIVE_SEARCH_RATE_LIMIT": f"{LIMIT}/minute"}
    # One worker is enough here; the rate limit is shared by all of them anyway.
    with running_server(web_index, log, workers=1, **env) as base:
        yield urlsplit(base).port


@pytest.fixture(scope="module")
def nginx_port(app_port: int, tmp_path_factory, running_nginx) -> Iterator[int]:
    folder = tmp_path_factory.mktemp("nginx")
    with running_nginx(f"http://127.0.0.1:{app_port}", folder) as base:
        yield urlsplit(base).port


def test_the_doc_template_is_the_one_run():
    site = deploy_site(Path("/tmp/x"), 1, 2)
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in site
    assert "X-Forwarded-Proto $scheme" in site
    assert "proxy_buffering on" in site
    assert "ARCHIVE_SEARCH_TRUSTED_PROXIES=1" in DOC.read_text(encoding="utf-8")


def test_pages_and_api_answer_through_nginx(nginx_port: int, app_port: int):
    page = get(nginx_port, "/?q=minsk", fresh())
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert b'href="/articles/belarus-1"' in page.body
    article = get(nginx_port, "/articles/belarus-1", fresh())
    assert article.status == 200 and b"Lukashenka meets the CSTO in Minsk" in article.body
    health = get(nginx_port, "/api/health", fresh()).json()
    direct = get(app_port, "/api/health", fresh()).json()
    assert health["status"] == "ok" and health == direct
    search = get(nginx_port, "/api/search?q=minsk", fresh()).json()
    assert search["total"] == get(app_port, "/api/search?q=minsk", fresh()).json()["total"]
    assert search["total"] >= 3


def test_rate_limit_keys_on_the_forwarded_client_address(nginx_port: int):
    first, second = "127.0.0.2", "127.0.0.3"
    # Each request costs at least 1 (more when slow), so the allowance runs out by LIMIT + 1.
    statuses = [get(nginx_port, CHEAP, first).status for _ in range(LIMIT + 1)]
    assert statuses[0] == 200 and statuses[-1] == 429, statuses
    # A forged X-Forwarded-For does not move the first client to a fresh allowance ...
    forged = get(nginx_port, CHEAP, first, **{"X-Forwarded-For": "127.0.0.99"})
    assert forged.status == 429 and forged.json()["error"]["status"] == 429
    # ... while another address, behind the same nginx, has its own.
    assert get(nginx_port, CHEAP, second).status == 200


def test_security_and_cors_headers_arrive_intact(nginx_port: int, app_port: int):
    for path in ("/", "/api/search?q=minsk", "/embed"):
        via = get(nginx_port, path, fresh(), Origin="https://elsewhere.example")
        direct = get(app_port, path, fresh(), Origin="https://elsewhere.example")
        assert via.status == direct.status == 200, path
        for name in HEADERS:
            assert via.headers.get_all(name, []) == direct.headers.get_all(name, []), (path, name)
    page = get(nginx_port, "/", fresh())
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    api = get(nginx_port, "/api/search?q=minsk", fresh(), Origin="https://elsewhere.example")
    assert api.headers["Access-Control-Allow-Origin"] == "*"
    assert "nginx/" not in (api.headers.get("Server") or "")  # server_tokens off


def test_widget_script_is_cached_and_revalidated(nginx_port: int):
    first = get(nginx_port, "/widget.js", fresh())
    assert first.status == 200 and first.headers["Content-Type"].startswith("text/javascript")
    assert first.headers["X-Cache-Status"] == "MISS"
    assert b"customElements.define" in first.body
    etag = first.headers["ETag"]
    assert etag and "max-age=" in first.headers["Cache-Control"]
    again = get(nginx_port, "/widget.js", fresh())
    assert again.headers["X-Cache-Status"] == "HIT" and again.body == first.body
    assert again.headers["ETag"] == etag
    revalidated = get(nginx_port, "/widget.js", fresh(), **{"If-None-Match": etag})
    assert revalidated.status == 304 and revalidated.body == b""
    changed = get(nginx_port, "/widget.js", fresh(), **{"If-None-Match": '"other"'})
    assert changed.status == 200 and changed.body == first.body
