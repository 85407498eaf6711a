"""docs/DEPLOY.md's nginx site, run as written (only ports and paths changed) in front of a
real `archive-search serve`: pages and API answer through it, the rate limit keys on the
client address nginx forwards, the app's CSP and CORS headers arrive intact, and /widget.js
is cached by nginx and revalidated by its ETag.

nginx runs in the foreground with its own prefix, pid, logs and temp paths under tmp_path,
on 127.0.0.1 free ports; clients connect from other loopback addresses (127.0.0.2, ...).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "DEPLOY.md"
LIMIT = 5  # requests per minute per client, for this test
HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
           "Referrer-Policy", "Access-Control-Allow-Origin", "Cache-Control")  # fmt: skip
DIRECT = "127.0.0.20"  # the client address of requests straight to the app


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


def site_template() -> str:
    match = re.search(r"```nginx\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, f"no ```nginx block in {DOC}"
    return match[1]


def site_config(folder: Path, port: int, app_port: int) -> str:
    """The doc's site with its listen address, upstream, cache and log paths replaced."""
    site = site_template()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{port};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "/var/cache/nginx/archive-search": str(folder / "cache"),
        "/var/log/nginx/": f"{folder}/logs/",
    }
    for old, new in replacements.items():
        assert old in site, f"docs/DEPLOY.md's nginx site no longer has {old!r}"
        site = site.replace(old, new)
    return site


def main_config(folder: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around a site, with paths of our own."""
    temp = folder / "temp"
    user = "user root;" if os.geteuid() == 0 else ""  # workers that can read tmp_path
    return f"""{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, f"nginx exited: {log.read_text()}"
        try:
            get(port, "/api/health", "127.0.0.21")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nginx did not answer on {port}: {log.read_text()}")


@pytest.fixture(scope="module")
def app_port(web_index: Path, tmp_path_factory, running_server) -> Iterator[int]:
    log = tmp_path_factory.mktemp("deploy-app") / "serve.log"
    env = {"ARCHIVE_SEARCH_TRUSTED_PROXIES": "1", "ARCHIVE_SEARCH_RATE_LIMIT": f"{LIMIT}/minute"}
    # One worker: the rate limit is counted per worker process.
    with running_server(web_index, log, workers=1, **env) as base:
        yield urlsplit(base).port


@pytest.fixture(scope="module")
def nginx_port(app_port: int, tmp_path_factory, require_binary, free_port) -> Iterator[int]:
    nginx = require_binary("nginx")
    folder = tmp_path_factory.mktemp("nginx")
    for sub in ("logs", "cache", "temp"):
        (folder / sub).mkdir()
    port = free_port()
    site = folder / "archive-search.conf"
    site.write_text(site_config(folder, port, app_port), encoding="utf-8")
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site), encoding="utf-8")
    log = folder / "logs" / "error.log"
    command = [nginx, "-p", str(folder), "-c", str(conf), "-e", str(log)]
    test = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process, log)
        yield port
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        process.wait(timeout=15)


def test_the_doc_template_is_the_one_run():
    site = site_config(Path("/tmp/x"), 1, 2)
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in site
    assert "X-Forwarded-Proto $scheme" in site
    assert "proxy_buffering on" in site
    assert "ARCHIVE_SEARCH_TRUSTED_PROXIES=1" in DOC.read_text(encoding="utf-8")


def test_pages_and_api_answer_through_nginx(nginx_port: int, app_port: int):
    client = "127.0.0.10"
    page = get(nginx_port, "/?q=minsk", client)
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert b'href="/articles/belarus-1"' in page.body
    article = get(nginx_port, "/articles/belarus-1", client)
    assert article.status == 200 and b"Lukashenka meets the CSTO in Minsk" in article.body
    health = get(nginx_port, "/api/health", client).json()
    direct = get(app_port, "/api/health", DIRECT).json()
    assert health["status"] == "ok" and health == direct
    search = get(nginx_port, "/api/search?q=minsk", client).json()
    assert search["total"] == get(app_port, "/api/search?q=minsk", DIRECT).json()["total"]
    assert search["total"] >= 3


def test_links_use_the_host_and_scheme_nginx_forwards(nginx_port: int):
    # A client claiming https is overruled: nginx sets X-Forwarded-Proto to its own scheme.
    answer = get(
        nginx_port, "/api/articles/belarus-1", "127.0.0.11", **{"X-Forwarded-Proto": "https"}
    )
    assert answer.status == 200
    assert answer.json()["html_url"] == f"http://127.0.0.1:{nginx_port}/articles/belarus-1"


def test_rate_limit_keys_on_the_forwarded_client_address(nginx_port: int):
    first, second = "127.0.0.2", "127.0.0.3"
    statuses = [get(nginx_port, "/api/search?q=minsk", first).status for _ in range(LIMIT)]
    assert statuses == [200] * LIMIT
    limited = get(nginx_port, "/api/search?q=minsk", first)
    assert limited.status == 429 and limited.json()["error"]["status"] == 429
    # A forged X-Forwarded-For does not move the first client to a fresh budget ...
    forged = get(nginx_port, "/api/search?q=minsk", first, **{"X-Forwarded-For": "127.0.0.99"})
    assert forged.status == 429
    # ... while another address, behind the same nginx, has its own.
    assert get(nginx_port, "/api/search?q=minsk", second).status == 200


def test_security_and_cors_headers_arrive_intact(nginx_port: int, app_port: int):
    for path in ("/", "/api/search?q=minsk", "/embed"):
        via = get(nginx_port, path, "127.0.0.12", Origin="https://elsewhere.example")
        direct = get(app_port, path, DIRECT, Origin="https://elsewhere.example")
        assert via.status == direct.status == 200, path
        for name in HEADERS:
            assert via.headers.get_all(name, []) == direct.headers.get_all(name, []), (path, name)
    page = get(nginx_port, "/", "127.0.0.12")
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    api = get(nginx_port, "/api/search?q=minsk", "127.0.0.12", Origin="https://elsewhere.example")
    assert api.headers["Access-Control-Allow-Origin"] == "*"
    assert "nginx/" not in (api.headers.get("Server") or "")  # server_tokens off


def test_widget_script_is_cached_and_revalidated(nginx_port: int):
    client = "127.0.0.13"
    first = get(nginx_port, "/widget.js", client)
    assert first.status == 200 and first.headers["Content-Type"].startswith("text/javascript")
    assert first.headers["X-Cache-Status"] == "MISS"
    assert b"customElements.define" in first.body
    etag = first.headers["ETag"]
    assert etag and "max-age=" in first.headers["Cache-Control"]
    again = get(nginx_port, "/widget.js", client)
    assert again.headers["X-Cache-Status"] == "HIT" and again.body == first.body
    assert again.headers["ETag"] == etag
    revalidated = get(nginx_port, "/widget.js", client, **{"If-None-Match": etag})
    assert revalidated.status == 304 and revalidated.body == b""
    changed = get(nginx_port, "/widget.js", client, **{"If-None-Match": '"other"'})
    assert changed.status == 200 and changed.body == first.body
