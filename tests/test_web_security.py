"""Security, CORS, caching and rate limits: the headers every response carries."""

from __future__ import annotations

import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from web import create_app, get_archive


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()["error"]


# ---- headers ----


@pytest.mark.parametrize("path", ["/api/search?q=minsk", "/", "/api/missing", "/about"])
def test_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "style-src 'self'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_embed_may_be_framed(client):
    headers = client.get("/embed").headers
    assert "X-Frame-Options" not in headers
    assert "frame-ancestors *" in headers["Content-Security-Policy"]


def test_cors_default_allows_any_origin(client):
    response = client.get("/api/search", headers={"Origin": "https://elsewhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_cors_allow_list(make_app):
    client = make_app(ALLOWED_ORIGINS="https://a.example, https://b.example").test_client()
    ok = client.get("/api/health", headers={"Origin": "https://b.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://b.example"
    refused = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers
    preflight = client.options(
        "/api/search",
        headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    embed = client.get("/embed").headers["Content-Security-Policy"]
    assert "frame-ancestors https://a.example https://b.example" in embed


def test_cors_not_on_pages(client):
    response = client.get("/", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


# ---- caching ----


def test_etag_and_304(client):
    first = client.get("/api/search?q=minsk")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get("/api/search?q=minsk", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get("/api/search?q=belarus")
    assert other.headers["ETag"] != etag
    assert client.get("/api/search?q=minsk", headers={"If-None-Match": '"old"'}).status_code == 200


def test_cache_seconds(make_app):
    response = make_app(CACHE_SECONDS="120").test_client().get("/api/search")
    assert response.headers["Cache-Control"] == "public, max-age=120"


def test_errors_are_not_cached(client):
    response = client.get("/api/search?page=0")
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_new_ingest_is_visible_and_changes_the_etag(tmp_path, hand_made):
    ingest(tmp_path, [Parsed("t:0", article_from_dict(hand_made[1]))], extract=False)
    client = create_app({"INDEX_DIR": tmp_path, "RATE_LIMIT": "off"}).test_client()
    before = client.get("/api/search?q=elections")
    assert before.get_json()["total"] == 0
    ingest(tmp_path, [Parsed("t:1", article_from_dict(hand_made[2]))], extract=False)
    after = client.get("/api/search?q=elections", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.get_json()["total"] == 1
    assert after.headers["ETag"] != before.headers["ETag"]
    assert client.get("/api/health").get_json()["generation"] == 2


# ---- rate limiting ----


def test_rate_limit_429_with_retry_after_on_api_and_pages(make_app):
    app = make_app(RATE_LIMIT="2/minute")
    with app.app_context():
        get_archive().warm()  # a cold first search may run past 0.25 s and cost 2
    client = app.test_client()
    assert client.get("/api/search").status_code == 200
    assert client.get("/api/health").status_code == 200  # health checks are not counted
    assert client.get("/widget.js").status_code == 200  # nor static files
    assert client.get("/").status_code == 200  # the search page is
    limited = client.get("/api/search?q=x")
    error_of(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    page = client.get("/about")
    assert page.status_code == 429 and page.mimetype == "text/html"


def test_rate_limit_off(make_app):
    client = make_app(RATE_LIMIT="off").test_client()
    assert all(client.get("/api/health").status_code == 200 for _ in range(30))


def test_successful_answers_carry_no_retry_after(make_app):
    client = make_app(RATE_LIMIT="100/minute").test_client()
    response = client.get("/api/search?q=minsk")
    assert "Retry-After" not in response.headers
    assert response.headers["X-RateLimit-Limit"] == "100"
