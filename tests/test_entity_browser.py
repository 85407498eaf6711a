"""Entity pages and Follow links in headless Chromium (Debian's package, through Playwright)
against a real `archive-search serve` on 127.0.0.1: the page renders its chart, lists and
links, runs no script from the data, breaks no CSP rule, and its Follow link is a feed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from playwright.sync_api import Browser, Page, expect

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "screenshot-entity.png"


@pytest.fixture(scope="module")
def server(
    web_index: Path, tmp_path_factory: pytest.TempPathFactory, running_server
) -> Iterator[str]:
    with running_server(web_index, tmp_path_factory.mktemp("server") / "serve.log") as base:
        yield base


@pytest.fixture
def page(browser: Browser, recording_page) -> Iterator[Page]:
    """A page that fails the test if any script from the data runs or the CSP refuses anything."""
    with recording_page(browser, viewport={"width": 1200, "height": 1000}) as page:
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        yield page
        assert page.dialogs == [], f"a script ran: {page.dialogs}"
        assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m]


def test_entity_page_renders(page: Page, server: str):
    page.goto(server + "/places/Minsk")
    expect(page.locator("h1")).to_have_text("Minsk")
    bars = page.locator(".timeline-chart a.tl-bar")
    assert bars.count() == 3  # three dated months name Minsk
    related = page.locator(".related-kind")
    expect(related.filter(has_text="People").locator("li").first).to_contain_text("Lukashenka")
    assert page.locator(".entity-articles").nth(0).locator(".result").count() == 4
    expect(page.locator(".entity-articles").nth(1).locator(".mentions").first).to_contain_text(
        "mentions"
    )


def test_screenshot(page: Page, server: str, tmp_path: Path):
    page.goto(server + "/places/United%20States")
    expect(page.locator(".timeline-chart a.tl-bar").first).to_be_visible()
    shot = tmp_path / "entity.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    if not SCREENSHOT.exists() or os.environ.get("UPDATE_SCREENSHOTS"):
        # docs/ keeps the README's picture; refresh it with UPDATE_SCREENSHOTS=1.
        shutil.copyfile(shot, SCREENSHOT)


def test_related_value_opens_the_combined_search(page: Page, server: str):
    page.goto(server + "/places/Minsk")
    link = page.locator(".related-kind").filter(has_text="People").locator("li a").first
    count = int(link.locator("xpath=..").locator(".count").inner_text().split()[0])
    link.click()
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"place": ["Minsk"], "person": ["Lukashenka"]}
    expect(page.locator(".summary strong")).to_have_text(str(count))


def test_timeline_bar_opens_its_month(page: Page, server: str):
    page.goto(server + "/places/Minsk")
    page.locator(".timeline-chart a.tl-bar").first.click()
    query = parse_qs(urlsplit(page.url).query)
    assert query["place"] == ["Minsk"] and query["from"] == query["to"] == ["2017-06"]
    expect(page.locator(".result")).to_have_count(1)


def test_article_and_facet_links_reach_entity_pages(page: Page, server: str):
    page.goto(server + "/articles/belarus-1")
    page.get_by_role("complementary").get_by_role("link", name="CSTO").click()
    assert urlsplit(page.url).path == "/organizations/CSTO"
    expect(page.locator("h1")).to_have_text("CSTO")
    page.goto(server + "/?q=minsk")
    person = page.locator("#facet-person ~ ul li").first
    name = person.locator(".facet-name").inner_text()
    person.get_by_role("link", name=f"Page about {name}").click()
    expect(page.locator("h1")).to_have_text(name)
    page.go_back()
    page.locator("#facet-person ~ ul li").first.locator("a.facet-value").click()
    assert parse_qs(urlsplit(page.url).query)["person"] == [name]  # the value still filters


def test_follow_links_are_feeds(page: Page, server: str):
    for path, text in (("/?q=minsk", "Follow this search"), ("/people/Lukashenka", "Follow")):
        page.goto(server + path)
        follow = page.locator("a.follow")
        expect(follow).to_be_visible()
        expect(follow).to_contain_text(text)
        alternate = page.locator('link[rel="alternate"][type="application/atom+xml"]')
        assert alternate.get_attribute("href") == follow.get_attribute("href")
        response = page.request.get(server + follow.get_attribute("href"))
        assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(response.body())
        assert not parsed.bozo and parsed.entries


def test_hostile_article_page_runs_nothing(page: Page, server: str):
    page.goto(server + "/articles/xss-1")
    page.get_by_role("complementary").get_by_role("link", name="Minsk").click()
    expect(page.locator("h1")).to_have_text("Minsk")
    expect(page.locator(".entity-articles").first).to_contain_text("<img src=x onerror=alert(1)>")
