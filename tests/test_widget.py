"""The widget's server side without a browser: /widget.js, /embed and /widget."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from web import create_app, i18n
from web.widget import (
    ATTRIBUTES,
    SCRIPT_MESSAGES,
    SCRIPT_PATH,
    SCRIPT_PLACEHOLDER,
    THEME_VARIABLES,
    bp,
    embed_options,
    script_body,
)

MAX_GZIPPED = 15 * 1024
SCRIPT = SCRIPT_PATH.read_text(encoding="utf-8")


def test_script_carries_the_catalogue_messages(client: FlaskClient):
    """widget.js has no strings of its own: the server puts every language's messages in
    place of its placeholder, from the one catalogue the pages use."""
    body = client.get("/widget.js").get_data(as_text=True)
    assert SCRIPT_PLACEHOLDER.decode() in SCRIPT and SCRIPT_PLACEHOLDER.decode() not in body
    strings = json.loads(re.search(r"const STRINGS = (\{.*?\n\});", body, re.S).group(1))
    assert set(strings) == set(i18n.LANGUAGES)
    for lang in i18n.LANGUAGES:
        assert strings[lang] == {key: i18n.MESSAGES[key][lang] for key in SCRIPT_MESSAGES}
    assert strings["ru"]["count.results"]["few"] == "{n} результата"
    for key in SCRIPT_MESSAGES:  # every message the script shows is one the script asks for
        assert f'"{key}"' in SCRIPT or key.startswith("facet.")
    assert "Поиск" not in SCRIPT and "Search the archive" not in SCRIPT


@pytest.fixture
def app(tmp_path) -> Flask:
    app = create_app({"INDEX_DIR": tmp_path / "index", "RATE_LIMIT": "off"})
    if "widget" not in app.blueprints:  # until the app factory registers it
        app.register_blueprint(bp)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Elements(HTMLParser):
    """Every start tag of a page as (tag, attributes)."""

    def __init__(self, text: str):
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.found if name == tag]


# ---- /widget.js -------------------------------------------------------------------------------


def test_script_is_served_as_a_cacheable_cross_origin_module(client: FlaskClient):
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_data()
    assert body == script_body() and body != SCRIPT_PATH.read_bytes()
    assert response.headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def test_script_revalidates_with_its_etag(client: FlaskClient):
    etag = client.get("/widget.js").headers["ETag"]
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=3600"
    stale = client.get("/widget.js", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    head = client.head("/widget.js")
    assert head.status_code == 200
    assert head.headers["ETag"] == etag


def test_script_is_small_when_gzipped(client: FlaskClient):
    body = client.get("/widget.js").get_data()
    assert len(gzip.compress(body)) <= MAX_GZIPPED


def test_script_is_one_plain_module_without_dependencies():
    assert 'customElements.define("archive-search"' in SCRIPT
    assert "new URL(import.meta.url).origin" in SCRIPT
    assert not re.search(r"^\s*import\s", SCRIPT, re.M)  # no other modules, no build step
    assert not re.search(r"\beval\(|new Function\(|document\.write|insertAdjacentHTML", SCRIPT)
    # the API's highlighted HTML is parsed in exactly one place: an inert <template>
    assert re.findall(r"\.(?:inner|outer)HTML\b", SCRIPT) == [".innerHTML"]
    assert "template.innerHTML" in SCRIPT


def test_every_attribute_and_theme_variable_is_documented():
    observed = re.search(r"observedAttributes = \[([^\]]*)\]", SCRIPT).group(1)
    assert re.findall(r'"([^"]+)"', observed) == [row.name for row in ATTRIBUTES]
    used = set(re.findall(r"--archive-search-[a-z]+(?:-[a-z]+)*", SCRIPT))
    assert used == {row.name for row in THEME_VARIABLES}


# ---- /embed -----------------------------------------------------------------------------------


def test_embed_page_may_be_framed_by_anyone(client: FlaskClient):
    response = client.get("/embed")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "frame-ancestors 'none'" not in csp


def test_other_pages_may_not_be_framed(client: FlaskClient):
    response = client.get("/widget")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_embed_page_loads_the_module_and_has_no_inline_script(client: FlaskClient):
    page = Elements(client.get("/embed").get_data(as_text=True))
    scripts = page.all("script")
    assert scripts == [{"type": "module", "src": "/widget.js"}]
    assert "<script>" not in client.get("/embed").get_data(as_text=True)
    assert all("style" not in attrs for _, attrs in page.found)
    (widget,) = page.all("archive-search")
    assert widget == {"target": "_top"}


def test_embed_options_become_attributes(client: FlaskClient):
    query = {
        "lang": "ru",
        "facets": "person place",
        "per-page": "5",
        "target": "_blank",
        "placeholder": '"><script>alert(1)</script>',
    }
    response = client.get("/embed", query_string=query)
    text = response.get_data(as_text=True)
    assert "<script>alert(1)" not in text
    (widget,) = Elements(text).all("archive-search")
    assert widget == {
        "target": "_blank",
        "lang": "ru",
        "per-page": "5",
        "facets": "person place",
        "placeholder": '"><script>alert(1)</script>',
    }
    assert '<html lang="ru">' in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"target": "_top"}),
        ({"lang": "RU"}, {"target": "_top", "lang": "ru"}),
        ({"lang": "de"}, {"target": "_top"}),
        ({"target": "javascript:alert(1)"}, {"target": "_top"}),
        ({"target": "_self"}, {"target": "_self"}),
        ({"per_page": "7"}, {"target": "_top", "per-page": "7"}),
        ({"per-page": "0"}, {"target": "_top"}),
        ({"per-page": "101"}, {"target": "_top"}),
        ({"per-page": "ten"}, {"target": "_top"}),
        ({"facets": "person,evil place person"}, {"target": "_top", "facets": "person place"}),
        ({"facets": "nothing"}, {"target": "_top"}),
        ({"endpoint": "https://evil.example"}, {"target": "_top"}),
        ({"placeholder": "x" * 500}, {"target": "_top", "placeholder": "x" * 200}),
    ],
)
def test_embed_options(query, expected):
    assert embed_options(query) == expected


# ---- /widget ------------------------------------------------------------------------------------


def test_documentation_page_shows_escaped_snippets(client: FlaskClient):
    response = client.get("/widget")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    blocks = re.findall(r"<pre><code>(.*?)</code></pre>", text, re.S)
    assert len(blocks) >= 4
    assert all("<script" not in block and "<archive-search" not in block for block in blocks)
    snippet = (
        "&lt;script type=&#34;module&#34; src=&#34;http://localhost/widget.js&#34;&gt;"
        "&lt;/script&gt;\n&lt;archive-search&gt;&lt;/archive-search&gt;"
    )
    assert snippet in blocks
    assert any("http://localhost/embed?lang=en&amp;facets=person%20place" in b for b in blocks)


def test_documentation_page_has_a_live_example_and_the_tables(client: FlaskClient):
    text = client.get("/widget").get_data(as_text=True)
    page = Elements(text)
    assert {"type": "module", "src": "/widget.js"} in page.all("script")
    assert page.all("archive-search")
    for row in (*ATTRIBUTES, *THEME_VARIABLES):
        assert f"<code>{row.name}</code>" in text
    assert "archive-search:select" in text
    assert "frame-src" in text
