"""The HTML pages: search (facets, chips, paging, histogram, did-you-mean), article, about."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import Archive
from web import create_app
from web.pages import marked, pagination, paragraphs, safe_url

XSS_ID = "xss-1"

LANDMARKS = ("<header", "<nav", "<main", "<footer")


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def hrefs(html: str, css_class: str) -> list[str]:
    pattern = rf'<a class="{css_class}[^"]*" href="([^"]*)"'
    return [unescape(h) for h in re.findall(pattern, html)]


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


class Elements(HTMLParser):
    """Every (tag, attribute names) of a page, as a browser's parser sees them."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, set[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name for name, _ in attrs}))


def assert_no_inline_code(html: str) -> None:
    """CSP forbids inline script and style (and XSS would need them): the pages have none."""
    for tag, attrs in Elements(html).found:
        assert tag not in ("script", "style", "iframe", "object", "embed", "img"), tag
        assert "style" not in attrs, tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)


# ---- search page ----


def test_search_page_structure(client):
    html = page(client, "/?q=minsk")
    for landmark in (*LANDMARKS, "<aside"):
        assert landmark in html
    assert 'class="skip-link" href="#main"' in html and 'id="main"' in html
    assert '<label for="q"' in html and 'id="q"' in html and 'role="search"' in html
    assert re.search(r"<strong>\d+</strong> results", html)
    assert " ms)" in html
    assert "<mark>Minsk</mark>" in html
    assert_no_inline_code(html)


def test_search_page_says_when_no_article_holds_every_word(client):
    relaxed = page(client, "/?q=minsk+zzqxv")
    assert "no article contains every word" in relaxed and "<mark>Minsk</mark>" in relaxed
    assert "no article contains every word" not in page(client, "/?q=minsk")
    api = client.get("/api/search?q=minsk+zzqxv").get_json()
    assert (
        api["relaxed"] is True
        and api["total"] == client.get("/api/search?q=minsk").get_json()["total"]
    )


def test_results_link_to_article_pages_and_originals(client):
    html = page(client, "/?q=lukashenka+csto")
    assert 'href="/articles/belarus-1"' in html
    assert 'href="https://example.org/belarus-1"' in html
    assert 'href="javascript:' not in html


def test_sort_links_keep_the_query(client):
    html = page(client, "/?q=minsk&category=Analysis")
    newest = re.search(r'<a href="([^"]*)">Newest</a>', html).group(1)
    assert query(unescape(newest)) == {"q": ["minsk"], "category": ["Analysis"], "sort": ["newest"]}
    assert 'aria-current="true">Relevance' in html


def test_facet_links_toggle_and_keep_state(client):
    html = page(client, "/?q=minsk&sort=newest")
    assert '<h3 id="facet-person">People</h3>' in html
    links = hrefs(html, "facet-value")
    person = next(link for link in links if "person=" in link)
    assert query(person)["q"] == ["minsk"] and query(person)["sort"] == ["newest"]
    selected = page(client, person)
    assert 'class="facet-value selected"' in selected
    removal = hrefs(selected, "facet-value selected")[0]
    assert "person" not in query(removal) and query(removal)["q"] == ["minsk"]


def test_chips_remove_one_filter(client):
    html = page(client, "/?q=minsk&category=Analysis&category=Economy&from=2017")
    chips = hrefs(html, "chip")
    assert len(chips) == 4  # two categories, a date, and "clear all"
    analysis = next(c for c in chips if query(c).get("category") == ["Economy"])
    assert query(analysis) == {"q": ["minsk"], "category": ["Economy"], "from": ["2017"]}
    assert "Clear all filters" in html
    assert "(remove this filter)" in html


def test_pagination(client):
    first = page(client, "/?per_page=5")
    assert 'aria-label="Pages"' in first and 'rel="next"' in first and 'rel="prev"' not in first
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1<' in first
    second = page(client, "/?per_page=5&page=2")
    assert 'rel="prev"' in second
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2<' in second
    assert '<ol class="results" start="6">' in second


def test_pagination_numbers():
    assert pagination(1, 10, 5)["last"] == 1
    pages = pagination(7, 10, 200)
    assert pages["items"] == [1, None, 5, 6, 7, 8, 9, None, 20]
    assert pagination(1, 100, 10**6)["last"] == 100  # the deep-paging window


def test_timeline_bars_link_to_their_periods(client):
    html = page(client, "/?interval=year")
    svg = html[html.index('<svg class="timeline-chart"') : html.index("</svg>")]
    years = re.findall(r"<title>(\d{4}): (\d+) articles?", svg)
    assert [y for y, _ in years] == sorted(y for y, _ in years)
    assert {"2017", "2018", "2019"} <= {y for y, _ in years}
    assert "from=2019" in svg and "to=2019" in svg
    assert "Show by month" in html


def test_did_you_mean(make_app, web_index):
    class Correcting:
        def __init__(self):
            self.archive = Archive(web_index)

        def __getattr__(self, name):
            return getattr(self.archive, name)

        def search(self, q="", **kwargs):
            answer = self.archive.search(q, **kwargs)
            answer["corrected"] = "minsk" if q == "minks" else None
            return answer

    client = make_app(ARCHIVE=Correcting()).test_client()
    html = page(client, "/?q=minks&sort=oldest")
    link = re.search(r'Did you mean <a href="([^"]*)">minsk</a>', html).group(1)
    assert query(unescape(link)) == {"q": ["minsk"], "sort": ["oldest"]}


def test_did_you_mean_from_the_archive(client):
    html = page(client, "/?q=minks")
    assert re.search(r'Did you mean <a href="/\?q=minsk">minsk</a>\?', html, re.I)


def test_bad_parameters_show_the_search_page_with_an_error(client):
    html = page(client, "/?page=0", status=400)
    assert 'role="alert"' in html and "page must be" in html
    assert 'id="q"' in html


def test_hidden_inputs_keep_filters_on_a_new_query(client):
    html = page(client, "/?q=minsk&person=Lukashenka&sort=newest")
    assert '<input type="hidden" name="person" value="Lukashenka">' in html
    assert '<input type="hidden" name="sort" value="newest">' in html


# ---- XSS ----


@pytest.mark.parametrize(
    "url",
    [
        "/?q=minsk",
        "/?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E",
        f"/articles/{XSS_ID}",
        "/about",
        "/?person=%3Cscript%3Ealert(1)%3C/script%3E",
    ],
)
def test_xss_payloads_render_as_text(client, url):
    html = page(client, url)
    assert "<img src=x" not in html
    assert "<script>alert" not in html
    assert_no_inline_code(html)


def test_xss_article_shows_payload_escaped(client):
    html = page(client, f"/articles/{XSS_ID}")
    assert "&lt;img src=x onerror=alert(1)&gt; Minsk security review</h1>" in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in html
    assert "Photo: &lt;b&gt;Belta&lt;/b&gt;" in html
    assert "javascript:alert" not in html


def test_marked_filter_keeps_only_mark():
    out = str(marked('<mark onclick="x()">a</mark><img src=x onerror=alert(1)><b>b</b>&lt;i&gt;'))
    assert out == "<mark>a</mark>b&lt;i&gt;"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x", "https://a.example/x"),
        ("http://a.example", "http://a.example"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,x", None),
        (None, None),
        ("//evil.example", None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


# ---- article and about ----


def test_article_page(client):
    html = page(client, "/articles/belarus-1")
    for landmark in (*LANDMARKS, "<aside"):
        assert landmark in html
    assert "<h1>Lukashenka meets the CSTO in Minsk</h1>" in html
    assert '<time datetime="2017-09-01T10:00:00">September 1, 2017</time>' in html
    assert html.count("<p>") >= 2  # paragraphs split on the blank line
    assert 'href="/organizations/CSTO"' in html and 'href="/?tag=security"' in html
    assert "More like this" in html
    assert_no_inline_code(html)


def test_more_like_this_links_to_articles(client):
    html = page(client, "/articles/belarus-1")
    section = html[html.index('id="similar-heading"') :]
    links = re.findall(r'<h3 class="result-title"><a href="/articles/([^"]+)"', section)
    assert links and "belarus-1" not in links


def test_unknown_article_is_a_404_page(client):
    html = page(client, "/articles/missing", status=404)
    assert "Not found" in html and "<main" in html


def test_paragraphs():
    assert paragraphs("a\nb\n\n  \nc\n") == ["a\nb", "c"]
    assert paragraphs(None) == []


def test_about_page_with_wikinews_attribution(client):
    html = page(client, "/about")
    assert "<strong>24</strong>" in html and "2017-06-19" in html
    assert 'href="/?person=' in html
    assert "CC BY 2.5" in html and "Wikinews" in html
    assert_no_inline_code(html)


def test_about_page_without_demo_has_no_attribution(tmp_path: Path, hand_made):
    ingest(tmp_path, [Parsed("t:1", article_from_dict(hand_made[1]))], extract=False)
    client = create_app({"INDEX_DIR": tmp_path, "RATE_LIMIT": "off"}).test_client()
    html = page(client, "/about")
    assert "CC BY 2.5" not in html


def test_pages_without_index_are_503_pages(tmp_path: Path):
    client = create_app({"INDEX_DIR": tmp_path / "none", "RATE_LIMIT": "off"}).test_client()
    html = page(client, "/", status=503)
    assert "archive-search ingest" in html and "<main" in html


def test_static_css_is_served(client):
    with client.get("/static/style.css") as response:
        css = response.get_data(as_text=True)
        assert response.status_code == 200 and ":focus-visible" in css
    assert "@import" not in css and "url(" not in css  # no external fonts or CDNs


def test_size_limits_answer_html_pages(client):
    assert "<main" in page(client, "/?q=a&pad=" + "x" * 5000, status=414)
    response = client.get("/", data=b"x" * 70_000)
    assert response.status_code == 413 and response.mimetype == "text/html"


def test_wrong_method_on_a_page_is_an_html_405(client):
    response = client.post("/about")
    assert response.status_code == 405 and response.mimetype == "text/html"
