"""Hostile traffic at the web layer: rate limits on pages and by cost, counters shared by
worker processes, uncacheable timed-out answers, the time limit reaching every caller, and
the smaller holes (Vary, html_url, 503 reasons, /embed parameters, --debug)."""

from __future__ import annotations

import multiprocessing

import pytest

from search import engine
from web import get_archive
from web.ratelimit import SharedMemoryStorage
from web.server import is_loopback, serve, warm_worker

TIMES_OUT = "0.000000001"  # QUERY_TIME_LIMIT: every search with words runs out of time


def allowed_before_429(client, path: str, tries: int = 40) -> int:
    for n in range(tries):
        if client.get(path).status_code == 429:
            return n
    return tries


def test_a_client_whose_queries_time_out_spends_its_allowance_faster(make_app):
    cheap = make_app(RATE_LIMIT="24/minute").test_client()
    costly = make_app(RATE_LIMIT="24/minute", QUERY_TIME_LIMIT=TIMES_OUT).test_client()
    assert costly.get("/api/search?q=minsk").get_json()["timed_out"] is True
    assert allowed_before_429(costly, "/api/search?q=minsk") <= 2  # 1 + 10 units each
    assert allowed_before_429(cheap, "/api/search?q=minsk") >= 12


def test_pages_are_rate_limited_and_charged_for_timeouts(make_app):
    client = make_app(RATE_LIMIT="24/minute", QUERY_TIME_LIMIT=TIMES_OUT).test_client()
    assert client.get("/?q=minsk").status_code == 200
    assert allowed_before_429(client, "/timeline?q=minsk") <= 2
    assert client.get("/about").status_code == 429


def test_counters_are_shared_by_forked_worker_processes():
    storage = SharedMemoryStorage()  # created before the fork, like gunicorn's master does
    storage.incr("client-a", 60, 3)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=storage.incr, args=("client-a", 60, 2)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert storage.get("client-a") == 3 + 4 * 2
    assert storage.get("client-b") == 0
    assert storage.get_expiry("client-a") > 0
    storage.clear("client-a")
    assert storage.get("client-a") == 0


def test_shared_counters_never_grow_past_their_table():
    storage = SharedMemoryStorage()
    for i in range(SharedMemoryStorage.SLOTS + 500):  # more clients than slots
        storage.incr(f"client-{i}", 60)
    assert storage.get(f"client-{SharedMemoryStorage.SLOTS + 499}") == 1


def test_timed_out_answers_are_not_cached(make_app):
    client = make_app(QUERY_TIME_LIMIT=TIMES_OUT).test_client()
    for path in ("/api/search?q=minsk", "/api/timeline?q=minsk", "/api/trends?q=minsk"):
        response = client.get(path)
        assert response.get_json()["timed_out"] is True, path
        assert response.headers["Cache-Control"] == "no-store", path
        assert "ETag" not in response.headers, path
    complete = make_app().test_client().get("/api/search?q=minsk")
    assert complete.get_json()["timed_out"] is False and "ETag" in complete.headers


def test_the_configured_time_limit_reaches_trends_and_timelines(make_app, monkeypatch):
    budgets = []

    class Recording(engine.Deadline):
        def __init__(self, seconds):
            budgets.append(seconds)
            super().__init__(seconds)

    monkeypatch.setattr(engine, "Deadline", Recording)
    app = make_app(QUERY_TIME_LIMIT="7")
    with app.app_context():
        assert get_archive().time_limit == 7
    client = app.test_client()
    for path in ("/api/timeline?q=minsk", "/api/trends?q=minsk", "/timeline?q=minsk", "/trends"):
        budgets.clear()
        assert client.get(path).status_code == 200, path
        assert budgets and all(0 < b <= 7 and b != 2.0 for b in budgets), (path, budgets)


def test_a_page_skips_its_timeline_after_a_timed_out_search(make_app):
    timed_out = make_app(QUERY_TIME_LIMIT=TIMES_OUT).test_client().get("/?q=minsk")
    assert timed_out.status_code == 200 and timed_out.headers["Cache-Control"] == "no-store"
    assert 'class="timeline"' not in timed_out.get_data(as_text=True)
    complete = make_app().test_client().get("/?q=minsk")
    assert 'class="timeline"' in complete.get_data(as_text=True)


def test_vary_origin_whenever_origins_are_not_a_wildcard(make_app):
    listed = make_app(ALLOWED_ORIGINS="https://news.example").test_client()
    for headers in ({}, {"Origin": "https://news.example"}, {"Origin": "https://evil.example"}):
        response = listed.get("/api/search?q=minsk", headers=headers)
        assert "Origin" in response.vary, headers
    anyone = make_app(ALLOWED_ORIGINS="*").test_client().get("/api/search?q=minsk")
    assert anyone.headers["Access-Control-Allow-Origin"] == "*"


def test_html_url_ignores_the_host_header(make_app):
    relative = make_app().test_client()
    record = relative.get("/api/articles/belarus-1", headers={"Host": "evil.example"}).get_json()
    assert record["html_url"] == "/articles/belarus-1"
    public = make_app(PUBLIC_URL="https://search.example.org/").test_client()
    record = public.get("/api/articles/belarus-1", headers={"Host": "evil.example"}).get_json()
    assert record["html_url"] == "https://search.example.org/articles/belarus-1"


def test_unusable_index_answers_do_not_disclose_its_path(tmp_path, make_app):
    folder = tmp_path / "secret-folder-name"
    client = make_app(INDEX_DIR=folder).test_client()
    for path in ("/api/health", "/api/search?q=minsk", "/?q=minsk"):
        response = client.get(path)
        assert response.status_code == 503, path
        text = response.get_data(as_text=True)
        assert "secret-folder-name" not in text and str(tmp_path) not in text, path
        assert "archive-search ingest" in text, path


@pytest.mark.parametrize("value", ["%C2%B2", "%D9%A3", "1e2", "-1", "0", "101", "9999"])
def test_embed_ignores_per_page_values_it_cannot_use(client, value):
    response = client.get(f"/embed?per-page={value}")
    assert response.status_code == 200
    assert "per-page=" not in response.get_data(as_text=True)


def test_embed_keeps_a_usable_per_page(client):
    assert 'per-page="25"' in client.get("/embed?per-page=25").get_data(as_text=True)


def test_debug_server_refused_off_loopback(tmp_path, capsys):
    assert serve(tmp_path, host="0.0.0.0", port=1, debug=True) == 2
    assert "Werkzeug debugger" in capsys.readouterr().err
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.2", "example.org"))


def test_workers_build_per_generation_structures_before_serving(tmp_path, web_index):
    from types import SimpleNamespace

    from web import create_app

    app = create_app({"INDEX_DIR": web_index, "RATE_LIMIT": "off"})
    warm_worker(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)))  # gunicorn's hook
    with app.app_context():
        archive = get_archive()
        newest = archive._open._newest  # search.pinned.OpenGenerations: built, not on demand
        assert newest is not None and newest.suggester is not None
    missing = create_app({"INDEX_DIR": tmp_path / "none", "RATE_LIMIT": "off"})
    warm_worker(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: missing)))  # no index: no error


def test_one_request_at_a_time_per_client(make_app):
    app = make_app(RATE_LIMIT="120/minute")
    client = app.test_client()
    in_flight = app.extensions["archive_search_in_flight"]
    first = client.get("/api/search?q=minsk")
    assert first.status_code == 200
    assert in_flight.get("in-flight/127.0.0.1") == 0  # counted while running, then released
    in_flight.incr("in-flight/127.0.0.1", 30)  # this client already has a request running
    busy = client.get("/api/search?q=minsk")
    assert busy.status_code == 429 and "Retry-After" in busy.headers
    # A refused request still costs 1: hammering while a query runs spends the allowance.
    spent = int(first.headers["X-RateLimit-Remaining"]) - int(busy.headers["X-RateLimit-Remaining"])
    assert spent == 1
    assert client.get("/?q=minsk").status_code == 429
    assert client.get("/widget.js").status_code == 200  # exempt, like the rate limit
    other = client.get("/api/search?q=minsk", environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert other.status_code == 200  # other clients are served
    in_flight.incr("in-flight/127.0.0.1", 30, -1)
    assert client.get("/api/search?q=minsk").status_code == 200


def test_widget_snippets_use_the_public_url(make_app):
    client = make_app(PUBLIC_URL="https://search.example.org").test_client()
    page = client.get("/widget", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "https://search.example.org/widget.js" in page
    assert "evil.example/widget.js" not in page
