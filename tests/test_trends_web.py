"""The trends blueprint through Flask's test client: JSON shapes, 400s, pages and partials.

Runs on the generated archive `gen` of tests/conftest.py (a known spike in the last
30 days); the blueprint is registered here when create_app does not do it yet.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import render_template
from werkzeug.datastructures import MultiDict

from web import create_app
from web import trends as web_trends


def with_trends(app):
    if "trends" not in app.blueprints:
        app.register_blueprint(web_trends.bp)
    return app


@pytest.fixture
def app(gen):
    return with_trends(create_app({"INDEX_DIR": gen.index, "RATE_LIMIT": "off", "TESTING": True}))


@pytest.fixture
def client(app):
    return app.test_client()


def error_of(response, status: int = 400) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_json()["error"]


def links(html: str, css_class: str) -> list[str]:
    """The hrefs of <a> elements whose class list starts with `css_class`."""
    out = []
    for tag in re.findall(r"<a\s[^>]*>", html):
        if re.search(rf'class="{css_class}[\s"]', tag):
            out.append(unescape(re.search(r'href="([^"]*)"', tag).group(1)))
    return out


def no_inline_script_or_style(html: str) -> None:
    assert "<script" not in html
    assert not re.search(r"\sstyle\s*=", html)
    assert "<style" not in html


# ---- /api/trends ----


def test_api_trends_finds_the_spike(client, gen):
    response = client.get(f"/api/trends?facet=organization&days={gen.window}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["facet"] == "organization"
    assert body["window"]["to"] == "2020-12-31"
    assert body["rising"][0]["value"] == "Spike Org"
    assert set(body["rising"][0]) >= {"value", "count", "baseline_count", "score"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers.get("ETag")


def test_api_trends_defaults_and_filters(client, gen):
    assert client.get("/api/trends").get_json()["facet"] == "person"
    narrowed = client.get(f"/api/trends?facet=organization&days={gen.window}&q=nosuchword")
    assert narrowed.get_json()["rising"] == []
    tagged = client.get(f"/api/trends?facet=organization&days={gen.window}&tag=weekly")
    assert tagged.get_json()["window"]["articles"] < gen.window


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("facet=category", "facet"),
        ("facet=", None),  # empty means the default, not an error
        ("days=0", "days"),
        ("days=3651", "days"),
        ("days=ninety", "days"),
        ("days=1.5", "days"),
        ("limit=0", "limit"),
        ("limit=51", "limit"),
        ("from=2020-13", "from"),
        ("to=someday", "to"),
        ("q=" + "x" * 1001, "q"),
    ],
)
def test_api_trends_rejects_bad_parameters(client, query, parameter):
    response = client.get(f"/api/trends?{query}")
    if parameter is None:
        assert response.status_code == 200
    else:
        assert error_of(response)["parameter"] == parameter


# ---- /api/timeline ----


def test_api_timeline_counts_every_month(client, gen):
    body = client.get("/api/timeline").get_json()
    assert body["interval"] == "month"
    assert len(body["buckets"]) == 12
    assert sum(b["count"] for b in body["buckets"]) == len(gen.records)
    years = client.get("/api/timeline?interval=year&organization=Spike+Org").get_json()
    spikes = sum(1 for r in gen.records if "Spike Org" in r["entities"]["organization"])
    assert years["buckets"] == [{"start": "2020-01-01", "count": spikes}]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("interval=week", "interval"), ("interval=MONTH", "interval"), ("from=20", "from")],
)
def test_api_timeline_rejects_bad_parameters(client, query, parameter):
    assert error_of(client.get(f"/api/timeline?{query}"))["parameter"] == parameter


# ---- /trends page ----


def test_trends_page_lists_rising_values_with_sparklines(client, gen):
    response = client.get(f"/trends?days={gen.window}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    no_inline_script_or_style(html)
    assert "Spike Org" in html
    assert links(html, "trend-name")[0] == "/?organization=Spike+Org"
    assert "/timeline?organization=Spike+Org" in links(html, "trend-timeline")
    assert '<svg class="sparkline"' in html and "<title id=" in html and "<desc id=" in html
    assert re.search(r'<option value="30" selected>', html)
    assert 'method="get"' in html and "trends.css" in html
    assert "Content-Security-Policy" in response.headers


def test_trends_page_keeps_an_unusual_window_and_rejects_a_bad_one(client):
    html = client.get("/trends?days=45").get_data(as_text=True)
    assert '<option value="45" selected>' in html
    bad = client.get("/trends?days=abc")
    assert bad.status_code == 400
    assert "days must be an integer" in bad.get_data(as_text=True)


# ---- /timeline page ----


def test_timeline_page_links_bars_to_their_period(client):
    html = client.get("/timeline?organization=Spike+Org&q=report").get_data(as_text=True)
    no_inline_script_or_style(html)
    bars = links(html, "tl-bar")
    assert bars, html[:500]
    december = parse_qs(urlsplit(bars[-1]).query)
    assert december == {
        "q": ["report"],
        "organization": ["Spike Org"],
        "from": ["2020-12"],
        "to": ["2020-12"],
    }
    switch = parse_qs(urlsplit(links(html, "timeline-switch")[0]).query)
    assert switch["interval"] == ["year"] and switch["organization"] == ["Spike Org"]
    assert '<table class="timeline-table visually-hidden">' in html
    year = client.get("/timeline?organization=Spike+Org&interval=year").get_data(as_text=True)
    assert "interval" not in parse_qs(urlsplit(links(year, "timeline-switch")[0]).query)


def test_timeline_page_rejects_a_bad_interval(client):
    assert client.get("/timeline?interval=week").status_code == 400


# ---- the partials the search page includes ----


def test_trends_block_partial_links_each_value_to_its_search(app, gen):
    with app.test_request_context("/"):
        trends = web_trends.recent_trends(days=gen.window)
        html = render_template("_trends_block.html", trends=trends)
    no_inline_script_or_style(html)
    assert "Recent trends" in html
    assert 'href="/?organization=Spike+Org"' in html
    with app.test_request_context("/"):
        empty = {kind: {"rising": []} for kind in web_trends.PAGE_KINDS}
        assert render_template("_trends_block.html", trends=empty).strip() == ""


def test_timeline_partial_keeps_the_search_state(app):
    from web.pages import search_url

    with app.test_request_context("/?q=report&category=News&interval=year"):
        args = MultiDict([("q", "report"), ("category", "News"), ("interval", "year")])
        chart = web_trends.search_timeline(args, search_url)
        html = render_template("_timeline.html", timeline_chart=chart)
    no_inline_script_or_style(html)
    bar = parse_qs(urlsplit(links(html, "tl-bar")[0]).query)
    assert bar == {
        "q": ["report"],
        "category": ["News"],
        "interval": ["year"],
        "from": ["2020"],
        "to": ["2020"],
    }
    switch = parse_qs(urlsplit(links(html, "timeline-switch")[0]).query)
    assert "interval" not in switch and switch["category"] == ["News"]


def test_search_timeline_hides_the_chart_for_bad_input(app):
    with app.test_request_context("/?from=2020-13"):
        assert web_trends.search_timeline(MultiDict([("from", "2020-13")]), lambda **c: "/") is None


def test_the_shared_web_index_answers_too(make_app):
    client = with_trends(make_app()).test_client()
    assert client.get("/api/trends?facet=place&days=365").status_code == 200
    assert client.get("/api/timeline?interval=year").status_code == 200
    assert client.get("/trends").status_code == 200


def test_search_page_shows_recent_trends_only_without_a_query(client):
    home = client.get("/").get_data(as_text=True)
    assert 'class="trends-block"' in home and "Recent trends" in home
    assert 'class="trends-block"' not in client.get("/?q=news").get_data(as_text=True)
