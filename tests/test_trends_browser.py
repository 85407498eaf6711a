"""The /trends and /timeline pages in headless Chromium against a real `archive-search serve`.

Needs the trends blueprint registered in `create_app` (the server is a separate
process). The archive is the whole Wikinews demo (2019-2020, entities extracted);
`python bench/screenshot_trends.py` takes the README's picture of the same page.
Chromium is Debian's /usr/bin/chromium; `playwright install` is never needed.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect


@pytest.fixture(scope="module")
def server(demo_index: Path, tmp_path_factory, running_server) -> Iterator[str]:
    """The session's `demo_index` (tests/conftest.py) served by `python -m web.cli serve`
    (gunicorn, 1 worker) on a free port; yields its base URL."""
    log = tmp_path_factory.mktemp("trends-server") / "serve.log"
    with running_server(demo_index, log, workers=1) as base:
        yield base


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page that fails the test on any console error (a CSP violation logs one)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert errors == [], errors
    context.close()


def test_trends_page_is_registered(server: str):
    """Fails until create_app registers web.trends.bp (the lead's one line)."""
    with urllib.request.urlopen(f"{server}/api/trends?facet=place", timeout=5) as response:
        assert response.status == 200


def test_trends_page_shows_sparklines_and_switches_window_without_script(server, page):
    page.goto(f"{server}/trends?days=90")
    expect(page.get_by_role("heading", name="Recent trends", level=1)).to_be_visible()
    for name in ("People", "Organizations", "Places"):
        expect(page.get_by_role("heading", name=name, level=2)).to_be_visible()
    places = page.locator("#trends-place").locator("xpath=..")
    expect(places.locator(".trend-name").first).to_be_visible()
    spark = page.locator("svg.sparkline").first
    expect(spark).to_be_visible()
    assert spark.get_attribute("role") == "img"
    assert page.locator("svg.sparkline title").count() == page.locator("svg.sparkline").count()
    # The hatched window is a pattern fill from trends.css, not colour alone.
    fill = page.locator(".spark-window").first.evaluate("e => getComputedStyle(e).fill")
    assert "trends-hatch" in fill

    page.select_option("#days", "365")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/trends?days=365")
    expect(page.locator("#days")).to_have_value("365")


def test_a_rising_value_opens_its_timeline_and_a_bar_opens_its_month(server, page):
    page.goto(f"{server}/trends?days=90")
    link = page.locator("a.trend-timeline").first
    link.click()
    page.wait_for_url("**/timeline?*")
    expect(page.locator("svg.timeline-chart")).to_be_visible()
    expect(page.locator("table.timeline-table")).to_be_attached()
    kind, value = next(iter(parse_qs(urlsplit(page.url).query).items()))
    bar = page.locator("a.tl-bar").last
    bar.click()
    page.wait_for_url("**/?*")
    state = parse_qs(urlsplit(page.url).query)
    assert state[kind] == value
    assert state["from"] == state["to"] and len(state["from"][0]) == 7  # one month


def test_print_media_shows_the_data_table(server, page):
    page.goto(f"{server}/timeline?interval=year")
    page.emulate_media(media="print")
    table = page.locator("table.timeline-table")
    assert table.evaluate("e => getComputedStyle(e).position") == "static"
    expect(page.locator(".timeline-switch")).to_be_hidden()
