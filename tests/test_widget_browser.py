"""<archive-search> in a real Chromium, embedded in a page of another origin.

Two servers share one small index: `allowed` lets the host page's origin call the API,
`refused` allows only some other origin. The host page (tests/data/widget/host.html) is
served from a third origin by a tiny http.server in this process. Playwright drives Debian's
/usr/bin/chromium; without it these tests skip with the reason (under CI=true they fail).
"""

from __future__ import annotations

import html
import itertools
import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

ROOT = Path(__file__).resolve().parents[1]
HOST_PAGE = Path(__file__).parent / "data" / "widget" / "host.html"
XSS_TITLE = "<img src=x onerror=alert(1)>"
REFUSED_ORIGIN = "http://elsewhere.example"
DEFAULT_ACCENT = "rgb(26, 95, 180)"

HAND_MADE = [
    {
        "id": "widget-xss",
        "title": XSS_TITLE,
        "body": "An xsstest article whose body says <script>alert(2)</script> out loud.",
        "date": "2020-01-02T10:00:00",
    },
    {
        "id": "widget-minsk-1",
        "title": "Lukashenka meets CSTO envoys in Minsk",
        "body": "Minsk hosted the CSTO envoys. Lukashenka spoke about security in Minsk.",
        "date": "2017-06-19T12:17:00",
        "entities": {
            "person": ["Alexander Lukashenka"],
            "organization": ["CSTO"],
            "place": ["Minsk", "Russia"],
        },
    },
    {
        "id": "widget-minsk-2",
        "title": "Minsk prepares for the parade",
        "body": "Streets of Minsk closed as the city prepares for the parade.",
        "date": "2017-07-01T09:00:00",
        "entities": {"person": ["Alexander Lukashenka"], "place": ["Minsk"]},
    },
    {
        "id": "widget-minsk-3",
        "title": "Talks in Moscow and Minsk",
        "body": "Delegations met in Moscow before travelling to Minsk for a second round.",
        "date": "2017-08-15T16:30:00",
        "entities": {"person": ["Vladimir Putin"], "place": ["Moscow", "Minsk"]},
    },
    {  # the same person in Cyrillic, joined to the Latin spelling (as consolidation records it)
        "id": "widget-putin-ru",
        "title": "Владимир Путин провёл переговоры",
        "body": "Владимир Путин встретился с делегацией.",
        "date": "2017-08-16T10:00:00",
        "language": "ru",
        "entities": {"person": ["Владимир Путин"]},
        "other_script": {"person": {"Владимир Путин": "Vladimir Putin"}},
    },
]


# ---- the index and the servers -------------------------------------------------------------


@pytest.fixture(scope="session")
def widget_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from index.readers import Parsed, read_path
    from index.records import article_from_dict
    from index.writer import ingest

    index_dir = tmp_path_factory.mktemp("widget-index")
    demo = read_path(str(ROOT / "index" / "demo" / "wikinews-en.jsonl.gz"))
    items = [item for item in itertools.islice(demo, 30) if isinstance(item, Parsed)]
    items += [Parsed(f"hand:{a['id']}", article_from_dict(a)) for a in HAND_MADE]
    report = ingest(index_dir, items, extract=False)
    assert report.ok, report.summary()
    return index_dir


class HostHandler(BaseHTTPRequestHandler):
    """`/?server=ORIGIN&lang=ru…`: host.html embedding that server's widget with those
    attributes; `/frame?src=URL`: a page that frames URL."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query))
        if url.path == "/frame":
            src = html.escape(params["src"])
            body = f'<!doctype html><title>frame</title><iframe src="{src}" width="600"></iframe>'
        elif url.path == "/":
            server = params.pop("server")
            attributes = " ".join(f'{k}="{html.escape(v)}"' for k, v in params.items())
            page = HOST_PAGE.read_text(encoding="utf-8")
            body = page.replace("__WIDGET_ORIGIN__", server).replace("__ATTRIBUTES__", attributes)
        else:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def host_origin(free_port) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), HostHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(scope="module")
def server(widget_index: Path, host_origin: str, tmp_path_factory, running_server) -> Iterator[str]:
    """The server whose allow-list names the host page's origin."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with running_server(widget_index, log, ARCHIVE_SEARCH_ALLOWED_ORIGINS=host_origin) as origin:
        yield origin


@pytest.fixture(scope="module")
def refused_server(widget_index: Path, tmp_path_factory, running_server) -> Iterator[str]:
    log = tmp_path_factory.mktemp("server") / "server.log"
    with running_server(widget_index, log, ARCHIVE_SEARCH_ALLOWED_ORIGINS=REFUSED_ORIGIN) as origin:
        yield origin


# ---- the browser ------------------------------------------------------------------------------


@pytest.fixture
def page(browser: Browser, recording_page) -> Iterator[Page]:
    with recording_page(browser) as page:
        page.set_default_timeout(10_000)
        yield page


def open_host(page: Page, host: str, server: str, **attributes: str) -> None:
    page.goto(f"{host}/?{urlencode({'server': server, **attributes})}")
    page.wait_for_function("customElements.get('archive-search') !== undefined")


def api(server: str, **params: object) -> dict:
    with urllib.request.urlopen(f"{server}/api/search?{urlencode(params)}") as response:
        return json.load(response)


def shadow_eval(page: Page, script: str):
    """Evaluate `script` (a function of the shadow root) inside the widget."""
    return page.evaluate(f"({script})(document.querySelector('archive-search').shadowRoot)")


def computed(page: Page, selector: str, prop: str) -> str:
    return shadow_eval(page, f"root => getComputedStyle(root.querySelector({selector!r})).{prop}")


def set_variable(page: Page, name: str, value: str) -> None:
    """Set a CSS custom property on the host element, as a host page's stylesheet would."""
    page.evaluate(
        "([n, v]) => document.querySelector('archive-search').style.setProperty(n, v)",
        [name, value],
    )


def search_for(page: Page, text: str) -> None:
    page.locator("archive-search input").fill(text)


OPTIONS = "archive-search [role=option]"
STATUS = "archive-search [role=status]"


# ---- the tests ------------------------------------------------------------------------------


def test_typing_shows_results_with_links_and_a_live_count(page: Page, host_origin, server):
    open_host(page, host_origin, server)
    page.locator("archive-search input").press_sequentially("minsk", delay=40)
    expect(page.locator(OPTIONS)).to_have_count(3)
    total = api(server, q="minsk")["total"]
    status = page.locator(STATUS)
    expect(status).to_have_text(f"{total} results")
    assert status.get_attribute("aria-live") == "polite"
    first = page.locator(OPTIONS).first
    expect(first.locator("mark").first).to_have_text(re.compile("minsk", re.I))
    href = first.locator("a").get_attribute("href")
    assert re.fullmatch(rf"{re.escape(server)}/articles/widget-minsk-\d", href)
    combobox = page.get_by_role("combobox", name="Search the archive")
    expect(combobox).to_have_attribute("aria-controls", "list")
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("listbox", name="Search results")).to_be_visible()


def test_arrow_keys_move_the_active_option_and_enter_selects(page: Page, host_origin, server):
    open_host(page, host_origin, server)
    page.evaluate("window.takeOver = true")
    search_for(page, "minsk")
    expect(page.locator(OPTIONS)).to_have_count(3)
    box = page.locator("archive-search input")
    box.press("ArrowDown")
    ids = page.locator(OPTIONS).evaluate_all("els => els.map(e => e.id)")
    expect(box).to_have_attribute("aria-activedescendant", ids[0])
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", ids[1])
    expect(page.locator(OPTIONS).nth(1)).to_have_attribute("aria-selected", "true")
    expect(page.locator(OPTIONS).nth(0)).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", ids[0])
    before = page.url
    box.press("Enter")
    selections = page.evaluate("window.selections")
    assert len(selections) == 1
    chosen = selections[0]
    href = page.locator(OPTIONS).first.locator("a").get_attribute("href")
    assert chosen["url"] == href == f"{server}/articles/{chosen['id']}"
    assert chosen["title"] == page.locator(OPTIONS).first.locator(".title").text_content()
    page.wait_for_timeout(300)
    assert page.url == before  # the host took over navigation


def test_enter_navigates_to_the_article_unless_prevented(page: Page, host_origin, server):
    open_host(page, host_origin, server)
    search_for(page, "minsk")
    expect(page.locator(OPTIONS)).to_have_count(3)
    box = page.locator("archive-search input")
    box.press("ArrowDown")
    href = page.locator(OPTIONS).first.locator("a").get_attribute("href")
    with page.expect_navigation(url=href):
        box.press("Enter")


def test_click_fires_the_select_event_and_the_host_may_cancel_it(page: Page, host_origin, server):
    open_host(page, host_origin, server)
    page.evaluate("window.takeOver = true")
    search_for(page, "minsk")
    expect(page.locator(OPTIONS)).to_have_count(3)
    before = page.url
    page.locator(OPTIONS).nth(2).click()
    href = page.locator(OPTIONS).nth(2).locator("a").get_attribute("href")
    selections = page.evaluate("window.selections")
    assert [s["url"] for s in selections] == [href]
    expect(page.locator(OPTIONS).nth(2)).to_have_attribute("aria-selected", "true")
    page.wait_for_timeout(300)
    assert page.url == before


def test_escape_clears_the_search(page: Page, host_origin, server):
    open_host(page, host_origin, server)
    search_for(page, "minsk")
    expect(page.locator(OPTIONS)).to_have_count(3)
    box = page.locator("archive-search input")
    box.press("Escape")
    expect(box).to_have_value("")
    expect(page.locator(OPTIONS)).to_have_count(0)
    expect(page.locator(STATUS)).to_have_text("")
    expect(box).to_have_attribute("aria-expanded", "false")


def test_theme_variables_on_the_host_reach_inside(page: Page, host_origin, server):
    open_host(page, host_origin, server)
    search_for(page, "minsk")
    expect(page.locator(OPTIONS)).to_have_count(3)
    assert computed(page, ".title", "color") == DEFAULT_ACCENT
    set_variable(page, "--archive-search-accent", "rgb(0, 128, 0)")
    assert computed(page, ".title", "color") == "rgb(0, 128, 0)"
    set_variable(page, "--archive-search-radius", "0px")
    assert computed(page, "input", "borderTopLeftRadius") == "0px"
    # the host's font is inherited by default, scaled by --archive-search-scale
    assert "Georgia" in computed(page, "input", "fontFamily")
    assert computed(page, "input", "fontSize") == "18px"
    set_variable(page, "--archive-search-scale", "2")
    assert computed(page, "input", "fontSize") == "36px"


def test_an_ancestor_can_theme_it_too(page: Page, host_origin, server):
    open_host(page, host_origin, server, id="themed")
    search_for(page, "minsk")
    expect(page.locator(OPTIONS)).to_have_count(3)
    assert computed(page, ".title", "color") == "rgb(200, 0, 0)"


def test_no_styles_leak_in_or_out(page: Page, host_origin, server):
    open_host(page, host_origin, server)
    search_for(page, "minsk")
    expect(page.locator(OPTIONS)).to_have_count(3)
    # in: the host's mark, a, li and input rules do not apply inside
    assert computed(page, "mark", "color") == "rgb(31, 35, 40)"
    assert computed(page, "a", "fontSize") == "18px"
    assert computed(page, "li", "paddingTop") == "0px"
    assert computed(page, "li", "listStyleType") == "none"
    assert computed(page, "input", "borderTopStyle") == "solid"
    # out: the widget's rules do not touch the host's own elements
    host = page.evaluate(
        """() => {
            const mark = getComputedStyle(document.getElementById('host-mark'));
            const link = getComputedStyle(document.getElementById('host-link'));
            return [mark.color, mark.backgroundColor, link.fontSize, link.display];
        }"""
    )
    assert host == ["rgb(255, 0, 0)", "rgb(255, 255, 0)", "40px", "inline"]
    assert page.locator("style").count() == 1  # the host's own; none added to the document


def test_html_in_titles_renders_as_text(page: Page, host_origin, server):
    open_host(page, host_origin, server)
    search_for(page, "xsstest")
    expect(page.locator(OPTIONS)).to_have_count(1)
    option = page.locator(OPTIONS).first
    expect(option.locator(".title")).to_have_text(XSS_TITLE)
    expect(option.locator(".snippet")).to_contain_text("<script>alert(2)</script>")
    counts = shadow_eval(
        page,
        "root => ['img', 'script', '[onerror]'].map(s => root.querySelectorAll(s).length)",
    )
    assert counts == [0, 0, 0]
    assert shadow_eval(
        page,
        "root => [...root.querySelectorAll('.snippet *')].every(e => e.localName === 'mark')",
    )
    page.wait_for_timeout(200)
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_a_refused_origin_shows_an_error_and_no_results(page: Page, host_origin, refused_server):
    open_host(page, host_origin, refused_server)
    search_for(page, "minsk")
    expect(page.locator(STATUS)).to_have_text("Search is unavailable")
    expect(page.locator(STATUS)).to_be_visible()
    expect(page.locator(OPTIONS)).to_have_count(0)


def test_the_api_error_message_is_shown(page: Page, host_origin, server):
    error = {"error": {"status": 400, "message": "q is too long", "parameter": "q"}}
    page.route(
        f"{server}/api/search**",
        lambda route: route.fulfill(
            status=400,
            json=error,
            headers={"Access-Control-Allow-Origin": "*"},
        ),
    )
    open_host(page, host_origin, server)
    search_for(page, "minsk")
    expect(page.locator(STATUS)).to_have_text("Search failed: q is too long")
    expect(page.locator(OPTIONS)).to_have_count(0)


def test_no_results_says_so(page: Page, host_origin, server):
    open_host(page, host_origin, server)
    search_for(page, "zzyzxnothing")
    expect(page.locator(STATUS)).to_have_text("No results for “zzyzxnothing”")
    expect(page.locator(OPTIONS)).to_have_count(0)


def test_russian_interface(page: Page, host_origin, server):
    open_host(page, host_origin, server, lang="ru", **{"per-page": "2"})
    box = page.locator("archive-search input")
    expect(box).to_have_attribute("placeholder", "Поиск по архиву…")
    assert shadow_eval(page, "root => root.querySelector('label').textContent") == (
        "Поиск по архиву"
    )
    search_for(page, "minsk")
    expect(page.locator(OPTIONS)).to_have_count(2)
    expect(page.locator(STATUS)).to_have_text("3 результата")
    expect(page.locator("archive-search .more")).to_have_text("Ещё результаты")
    search_for(page, "zzyzxnothing")
    expect(page.locator(STATUS)).to_have_text("Ничего не найдено по запросу «zzyzxnothing»")
    forms = page.evaluate(
        f"""async () => {{
            const {{ resultCount }} = await import({json.dumps(server + "/widget.js")});
            return [1, 2, 5, 11, 21, 22, 25, 1000].map(n => resultCount(n, 'ru'))
                .concat([resultCount(1, 'en'), resultCount(12, 'en')]);
        }}"""
    )
    assert forms == [
        "1 результат",
        "2 результата",
        "5 результатов",
        "11 результатов",
        "21 результат",
        "22 результата",
        "25 результатов",
        "1\xa0000 результатов",
        "1 result",
        "12 results",
    ]


def test_names_in_two_scripts_show_in_the_widgets_language(page: Page, host_origin, server):
    """The widget asks the API in its own language (`lang`), so its facet chips show a name
    named in two scripts in that language's spelling, one chip counting both."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/search" in r.url else None)
    spellings = {"ru": "Владимир Путин", "en": "Vladimir Putin"}
    for lang, other in (("ru", "en"), ("en", "ru")):
        answer = api(server, q="putin", lang=lang)
        (putin,) = [v for v in answer["facets"]["person"] if v["value"] == spellings[lang]]
        assert putin["count"] >= 2  # the English article and the Russian one
        assert spellings[other] not in [v["value"] for v in answer["facets"]["person"]]
        open_host(page, host_origin, server, lang=lang, facets="person")
        search_for(page, "putin")
        expect(page.locator(OPTIONS)).to_have_count(answer["total"])
        chip = page.locator(f"archive-search .chip[data-value='{spellings[lang]}']")
        expect(chip).to_have_text(f"{spellings[lang]} {putin['count']}")
        expect(
            page.locator(f"archive-search .chip[data-value='{spellings[other]}']")
        ).to_have_count(0)
        assert f"lang={lang}" in requests[-1]
        chip.click()  # the shown spelling filters to the articles of both
        expect(page.locator(OPTIONS)).to_have_count(putin["count"])
    # /embed without `lang`: the page's language (the browser's), which the widget passes on
    page.set_extra_http_headers({"Accept-Language": "ru"})
    page.goto(f"{server}/embed?facets=person")
    search_for(page, "putin")
    expect(page.locator(f"archive-search .chip[data-value='{spellings['ru']}']")).to_have_count(1)
    expect(page.locator(f"archive-search .chip[data-value='{spellings['en']}']")).to_have_count(0)
    assert "lang=ru" in requests[-1]


def test_more_results_appends_the_next_page(page: Page, host_origin, server):
    open_host(page, host_origin, server, **{"per-page": "3"})
    search_for(page, "the")
    expect(page.locator(OPTIONS)).to_have_count(3)
    more = page.locator("archive-search .more")
    expect(more).to_have_text("More results")
    more.click()
    expect(page.locator(OPTIONS)).to_have_count(6)
    ids = [
        a.split("/")[-1]
        for a in page.locator(f"{OPTIONS} a").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
    ]
    expected = [
        hit["id"] for p in (1, 2) for hit in api(server, q="the", per_page=3, page=p)["results"]
    ]
    assert ids == expected
    expect(page.locator("archive-search input")).to_have_attribute(
        "aria-activedescendant", "option-3"
    )


def test_facet_chips_filter_the_results(page: Page, host_origin, server):
    open_host(page, host_origin, server, facets="person place")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/search" in r.url else None)
    search_for(page, "minsk")
    expect(page.locator(OPTIONS)).to_have_count(3)
    chip = page.locator("archive-search .chip[data-facet=person][data-value='Vladimir Putin']")
    expect(chip).to_have_attribute("aria-pressed", "false")
    chip.click()
    expect(page.locator(OPTIONS)).to_have_count(1)
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(page.locator(STATUS)).to_have_text("1 result")
    assert "person=Vladimir+Putin" in requests[-1]
    chip.click()
    expect(page.locator(OPTIONS)).to_have_count(3)
    expect(chip).to_have_attribute("aria-pressed", "false")
    groups = page.locator("archive-search .facet[role=group]")
    expect(groups).to_have_count(2)
    assert groups.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))") == [
        "People",
        "Places",
    ]


def test_loading_state_and_stale_answers_are_dropped(page: Page, host_origin, server):
    held = []
    page.route(f"{server}/api/search**", lambda route: held.append(route))
    open_host(page, host_origin, server)
    search_for(page, "minsk")
    loading = page.locator("archive-search .loading")
    expect(loading).to_be_visible()
    expect(loading).to_have_text("Searching…")
    search_for(page, "xsstest")
    page.wait_for_timeout(400)
    # one request in flight: the newer text waits for it instead of piling up on the server
    assert [query_of(r.request.url) for r in held] == ["minsk"]
    held[0].continue_()  # the answer for "minsk" arrives after "xsstest" was typed: dropped
    expect(page.locator(OPTIONS)).to_have_count(0)
    page.wait_for_timeout(300)
    assert [query_of(r.request.url) for r in held] == ["minsk", "xsstest"]
    expect(page.locator(OPTIONS)).to_have_count(0)  # still nothing for "minsk"
    held[1].continue_()
    expect(page.locator(OPTIONS)).to_have_count(1)
    expect(loading).to_be_hidden()
    expect(page.locator(f"{OPTIONS} .title")).to_have_text(XSS_TITLE)


def query_of(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query))["q"]


WATCH_WIDGET = """() => {
  const el = document.querySelector('archive-search');
  const input = el.shadowRoot.querySelector('input');
  window.__shown = [];
  el.addEventListener('archive-search:results', (e) =>
    __shown.push({query: e.detail.query, typed: input.value.trim(), total: e.detail.total}));
}"""


def track_requests(page: Page) -> dict:
    """Counts /api/search requests: started, in flight now, the most at once, and 429s."""
    seen = {"started": [], "inflight": 0, "most": 0, "429": 0}

    def started(request) -> None:
        if "/api/search" in request.url:
            seen["started"].append(query_of(request.url))
            seen["inflight"] += 1
            seen["most"] = max(seen["most"], seen["inflight"])

    def ended(request) -> None:
        if "/api/search" in request.url:
            seen["inflight"] -= 1

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    page.on("response", lambda r: seen.__setitem__("429", seen["429"] + (r.status == 429)))
    return seen


def test_typing_never_shows_a_list_for_older_text(page: Page, host_origin, server):
    """Answers are held and let go late, after newer text was typed."""
    held: list = []
    page.route(f"{server}/api/search**", lambda route: held.append(route))
    open_host(page, host_origin, server)
    page.evaluate(WATCH_WIDGET)
    seen = track_requests(page)
    box = page.locator("archive-search input")

    def release_until_shown(text: str) -> None:
        for _ in range(50):
            if page.evaluate(f"__shown.length && __shown.at(-1).query === {text!r}"):
                return
            if held:
                held.pop(0).continue_()
            page.wait_for_timeout(100)
        raise AssertionError(f"{text!r} was never shown")

    box.press_sequentially("minsk", delay=60)
    release_until_shown("minsk")
    box.press_sequentially(" lukash", delay=60)  # "minsk l" is held while the rest is typed
    page.wait_for_timeout(300)
    assert len(held) == 1 and query_of(held[0].request.url).startswith("minsk")
    release_until_shown("minsk lukash")
    box.fill("moscow")
    page.wait_for_timeout(200)
    box.fill("parade")  # the answer for "moscow" comes after this
    release_until_shown("parade")
    page.wait_for_timeout(300)
    shown = page.evaluate("__shown")
    assert [s["query"] for s in shown] == ["minsk", "minsk lukash", "parade"]
    assert all(s["query"] == s["typed"] for s in shown)
    assert seen["most"] == 1  # never two requests in flight
    assert shown[1]["total"] == api(server, q="minsk lukash", partial=1)["total"] > 0
    expect(page.locator(OPTIONS)).to_have_count(1)


def test_one_request_per_pause(page: Page, host_origin, server):
    open_host(page, host_origin, server)
    seen = track_requests(page)
    box = page.locator("archive-search input")
    box.press_sequentially("parade", delay=10)  # faster than the widget asks
    expect(page.locator(STATUS)).to_have_text("1 result")
    page.wait_for_timeout(300)
    assert seen["started"][-1] == "parade"
    assert len(seen["started"]) < len("parade")  # keystrokes within a pause coalesce
    before = len(seen["started"])
    box.press("End")  # a pause with no new text: nothing to ask
    page.wait_for_timeout(300)
    box.press_sequentially("x", delay=10)
    expect(page.locator(STATUS)).to_have_text("No results for “paradex”")
    assert seen["started"][before:] == ["paradex"]  # exactly one request for this pause
    assert seen["most"] == 1


@pytest.fixture(scope="module")
def limited_server(
    widget_index: Path, host_origin: str, tmp_path_factory: pytest.TempPathFactory, running_server
) -> Iterator[str]:
    """A server with the default rate limit (the other servers here run with it off)."""
    from web.settings import SETTINGS

    rate = next(s.default for s in SETTINGS if s.name == "RATE_LIMIT")
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {"ARCHIVE_SEARCH_ALLOWED_ORIGINS": host_origin, "ARCHIVE_SEARCH_RATE_LIMIT": rate}
    with running_server(widget_index, log, workers=1, **env) as origin:
        yield origin


@pytest.mark.slow
def test_a_typed_session_stays_under_the_default_rate_limit(
    page: Page, host_origin, limited_server
):
    """20 queries typed one key every 120 ms, to one worker (the limit is per worker)."""
    open_host(page, host_origin, limited_server)
    page.evaluate(WATCH_WIDGET)
    seen = track_requests(page)
    box = page.locator("archive-search input")
    words = ["minsk", "lukashenka", "moscow", "parade", "csto envoys", "security", "talks",
             "delegations", "streets", "city", "envoys", "round", "second", "travelling",
             "minsk parade", "putin", "russia", "closed", "prepares", "hosted"]  # fmt: skip
    status = page.locator(STATUS)
    for text in words:
        box.press_sequentially(text, delay=120)
        # the whole word's answer, not an earlier prefix's still on screen ("puti" for "putin"),
        # or the widget's failure message
        page.wait_for_function(
            "text => (__shown.length && __shown.at(-1).query === text)"
            " || /failed/.test(document.querySelector('archive-search')"
            ".shadowRoot.querySelector('[role=status]').textContent)",
            arg=text,
            timeout=10_000,
        )
        assert seen["429"] == 0, f"429 while typing {text!r}: {status.text_content()}"
        expect(status).to_have_text(re.compile(r"results?|No results"))
        box.press("Escape")
    assert len(seen["started"]) >= len(words)
    assert page.locator(STATUS).text_content() == ""


def test_offline_state(page: Page, host_origin, server):
    open_host(page, host_origin, server)
    search_for(page, "minsk")
    expect(page.locator(OPTIONS)).to_have_count(3)
    page.context.set_offline(True)
    expect(page.locator(STATUS)).to_have_text(re.compile("^You are offline"))
    search_for(page, "xsstest")
    page.wait_for_timeout(400)
    expect(page.locator(STATUS)).to_have_text(re.compile("^You are offline"))
    page.context.set_offline(False)
    expect(page.locator(OPTIONS)).to_have_count(1)
    expect(page.locator(STATUS)).to_have_text("1 result")


def test_embed_page_works_inside_a_frame_of_another_origin(page: Page, host_origin, server):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    src = f"{server}/embed?lang=ru&facets=person&per-page=2"
    page.goto(f"{host_origin}/frame?{urlencode({'src': src})}")
    frame = page.frame_locator("iframe")
    box = frame.locator("archive-search input")
    expect(box).to_have_attribute("placeholder", "Поиск по архиву…")
    box.fill("minsk")
    expect(frame.locator("archive-search [role=option]")).to_have_count(2)
    expect(frame.locator("archive-search .chip").first).to_be_visible()
    radius = box.evaluate("el => getComputedStyle(el).borderTopLeftRadius")
    assert radius == "6px"  # the widget's styles apply under the page's strict CSP
    assert errors == []


def test_documentation_page_live_example(page: Page, server):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server}/widget")
    box = page.locator("archive-search").first.locator("input")
    box.fill("minsk")
    expect(page.locator("archive-search").first.locator("[role=option]")).to_have_count(3)
    assert errors == []
