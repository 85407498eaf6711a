"""The site in Russian: the catalogue, the choice of language, every page in both languages.

The checks for English left on a Russian page are derived from web/messages.toml, not from
a hand list: on an archive whose own text is all Russian, no word of the catalogue's English
(that its Russian does not also use) may be visible on a Russian page; on the English demo
archive, no English phrase of the catalogue may be.
"""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from flask import Flask

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from web import create_app, i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"
TOKEN = "editor-token-0123456789abcdef"
RU = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}

# A small Russian archive, as the bilingual archive of issue 18 publishes.
RUSSIAN: list[dict[str, Any]] = [
    {
        "id": "ru-1",
        "url": "https://example.org/ru-1",
        "title": "Лукашенко провёл совещание по безопасности в Минске",
        "date": "2017-06-19T12:17:00",
        "body": "Президент Лукашенко провёл в Минске совещание по безопасности.\n\n"
        "Обсуждались учения ОДКБ и сотрудничество с Россией.",
        "category": "Политика",
        "tags": ["безопасность"],
        "entities": {
            "person": ["Александр Лукашенко"],
            "organization": ["ОДКБ"],
            "place": ["Минск", "Россия"],
        },
        "credit": '"Белорусская военная газета"',
        "language": "ru",
    },
    {
        "id": "ru-2",
        "url": "https://example.org/ru-2",
        "title": "Учения ОДКБ прошли под Минском",
        "date": "2017-09-01T10:00:00",
        "body": "Учения ОДКБ прошли под Минском. Лукашенко наблюдал за учениями.\n\n"
        "Россия прислала на учения несколько подразделений.",
        "category": "Политика",
        "tags": ["безопасность", "оборона"],
        "entities": {
            "person": ["Александр Лукашенко"],
            "organization": ["ОДКБ"],
            "place": ["Минск", "Россия"],
        },
        "language": "ru",
    },
    {
        "id": "ru-3",
        "title": "Экономика Белоруссии после выборов",
        "date": "2018-03-10T09:00:00",
        "body": "Экономика Белоруссии росла медленно.\n\nМинск надеется на российские кредиты.",
        "category": "Экономика",
        "tags": ["экономика"],
        "entities": {"person": ["Александр Лукашенко"], "place": ["Минск", "Белоруссия"]},
        "language": "ru",
    },
]


@pytest.fixture(scope="module")
def russian_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ru") / "index"
    items = [Parsed(f"ru:{i}", article_from_dict(row)) for i, row in enumerate(RUSSIAN)]
    report = ingest(path, items, extract=False)
    assert report.ok and report.added == len(RUSSIAN), report.summary()
    return path


def make(index: Path, tmp_path: Path, **config: Any) -> Flask:
    settings = {"INDEX_DIR": index, "RATE_LIMIT": "off", "TESTING": True, "ADMIN_TOKEN": TOKEN}
    settings["ANALYTICS_DB"] = str(tmp_path / "searches.sqlite")
    return create_app({**settings, **config})


def pages(search: str, entity: str, article: str) -> list[str]:
    """A URL of every page template (the widget's developer docs are English: see below)."""
    return [
        "/",
        f"/?q={search}",
        f"/?q={search}&sort=newest&year=2017&from=2017-01",
        "/?q=zzzzqqqq",
        "/?from=99999",
        f"/articles/{article}",
        "/about",
        "/trends",
        f"/timeline?person={entity}",
        f"/people/{entity}",
        "/no-such-page",
        "/embed",
        "/admin/queries",  # the sign-in form
        "/admin/queries?days=30",  # signed in: what readers look for
    ]


def fetch(app: Flask, url: str, headers: dict[str, str]) -> Any:
    """GET `url` on a fresh client that has searched once; signed in for the admin report."""
    client = app.test_client()
    client.get(
        "/api/search", query_string={"q": app.config["SITE_NAME"] == "Архив" and "Минск" or "minsk"}
    )
    assert app.extensions["archive_search_analytics"].flush()
    if url.startswith("/admin/queries?"):
        form = client.get("/admin/queries").get_data(as_text=True)
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        assert client.post("/admin/login", data={"token": TOKEN, "csrf": csrf}).status_code == 303
    return client.get(url, headers=headers)


class Text(HTMLParser):
    """What a reader sees or hears: text and title/label attributes, without the parts
    marked as another language (lang="en" inside a Russian page) or code."""

    SKIP = {"script", "style", "code", "pre"}
    SPOKEN = ("title", "aria-label", "placeholder", "alt")
    VOID = {"meta", "link", "input", "br", "img", "hr", "rect", "line", "circle", "polygon"}

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang
        self.stack: list[bool] = []  # per open element: is its content excluded?
        self.parts: list[str] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang")
        excluded = bool(self.stack and self.stack[-1]) or tag in self.SKIP
        excluded = excluded or (tag != "html" and values.get("lang") not in (None, self.lang))
        if not excluded:
            self.parts += [f" {values[name]} " for name in self.SPOKEN if values.get(name)]
        if tag not in self.VOID:
            self.stack.append(excluded)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def seen(html: str, lang: str) -> tuple[str | None, str]:
    """The page's <html lang> and its text, every run of white space (NBSP too) one space."""
    parser = Text(lang)
    parser.feed(html)
    return parser.html_lang, " ".join("".join(parser.parts).split())


def english_texts() -> list[str]:
    """Every English text of the catalogue whose Russian differs (plural forms included)."""
    texts = []
    for entry in i18n.MESSAGES.values():
        if entry["en"] == entry["ru"]:
            continue
        forms = entry["en"] if isinstance(entry["en"], dict) else {"": entry["en"]}
        texts += forms.values()
    return texts


def russian_words() -> set[str]:
    words = set()
    for entry in i18n.MESSAGES.values():
        forms = entry["ru"] if isinstance(entry["ru"], dict) else {"": entry["ru"]}
        for text in forms.values():
            words |= set(re.findall(r"[A-Za-z]+", text))
    return words


ENGLISH_WORDS = {
    word
    for text in english_texts()
    for word in re.findall(r"[A-Za-z]+", re.sub(r"\{\w+\}", " ", text))
} - russian_words()
ENGLISH_PHRASES = {
    fragment.strip(string.punctuation + " ")
    for text in english_texts()
    for fragment in re.split(r"\{\w+\}", text)
    if len(fragment.strip(string.punctuation + " ").split()) >= 2
}


# ---- the catalogue ----


def placeholders(message: i18n.Message) -> set[str]:
    texts = message.values() if isinstance(message, dict) else [message]
    return {name for text in texts for name in re.findall(r"\{(\w+)\}", text)}


@pytest.mark.parametrize("key", sorted(i18n.MESSAGES))
def test_every_message_is_in_every_language_with_the_same_fields(key):
    entry = i18n.MESSAGES[key]
    assert set(entry) == set(i18n.LANGUAGES), key
    fields = {lang: placeholders(entry[lang]) for lang in i18n.LANGUAGES}
    assert len(set(map(frozenset, fields.values()))) == 1, fields
    counted = {lang: isinstance(entry[lang], dict) for lang in i18n.LANGUAGES}
    assert len(set(counted.values())) == 1, f"{key} is counted in only some languages"
    for lang, message in entry.items():
        if isinstance(message, dict):
            needed = set(Locale.parse(lang).plural_form.tags) | {"other"}
            assert set(message) == needed, (key, lang, sorted(message))
            assert all("{n}" in text or "n" in fields[lang] for text in message.values())
        texts = message.values() if isinstance(message, dict) else [message]
        assert all(text.strip() for text in texts), (key, lang)
        if lang == "ru" and entry["ru"] != entry["en"]:
            words = [re.sub(r"\{\w+\}", "", text) for text in texts]
            assert all(
                re.search("[а-яё]", w, re.I) or not re.search("[a-z]", w, re.I) for w in words
            ), (key, "not Russian")


def test_the_english_check_is_derived_from_the_catalogue():
    assert {"Search", "Trends", "People", "Photo", "undated"} <= ENGLISH_WORDS
    assert "person" not in ENGLISH_WORDS  # the Russian search hint shows person:имя too
    assert {"More like this", "Narrow the results", "Sort by"} <= ENGLISH_PHRASES


def test_plural_forms_follow_cldr(app: Flask):
    with app.test_request_context("/?lang=ru"):
        app.preprocess_request()
        forms = [str(i18n.plural("count.articles", n)) for n in (1, 2, 5, 11, 21, 22, 1234)]
        assert forms == [
            "1 статья",
            "2 статьи",
            "5 статей",
            "11 статей",
            "21 статья",
            "22 статьи",
            "1\N{NO-BREAK SPACE}234 статьи",
        ]
    with app.test_request_context("/"):
        app.preprocess_request()
        assert [str(i18n.plural("count.articles", n)) for n in (1, 2, 1234)] == [
            "1 article",
            "2 articles",
            "1,234 articles",
        ]


def test_dates_are_written_as_each_language_writes_them(app: Flask):
    with app.test_request_context("/?lang=ru"):
        app.preprocess_request()
        assert (
            i18n.format_date("2026-12-02T17:10:00") == "2 декабря 2026\N{NARROW NO-BREAK SPACE}г."
        )
        assert i18n.format_date("2017-06-19") == "19 июня 2017\N{NARROW NO-BREAK SPACE}г."
        assert i18n.format_date("2017-06") == "2017-06"  # a month stays as written
    with app.test_request_context("/"):
        app.preprocess_request()
        assert i18n.format_date("2026-12-02") == "December 2, 2026"


def test_values_in_messages_are_escaped(app: Flask):
    with app.test_request_context("/?lang=ru"):
        app.preprocess_request()
        out = i18n.translate("search.page_about", value='<script>alert("x")</script>')
        assert str(out) == "Страница: &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
        with pytest.raises(TypeError, match="counted"):
            i18n.translate("count.articles")


# ---- choosing the language ----


@pytest.fixture(scope="module")
def app(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make(web_index, tmp_path_factory.mktemp("en-log"))


@pytest.fixture(scope="module")
def russian_app(russian_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The Russian archive under a Russian site name: its own text is all Cyrillic."""
    return make(russian_index, tmp_path_factory.mktemp("ru-log"), SITE_NAME="Архив")


@pytest.mark.parametrize(
    ("query", "headers", "expected"),
    [
        ("", {}, "en"),
        ("", RU, "ru"),
        ("", {"Accept-Language": "de-DE,de;q=0.9,ru;q=0.8,en;q=0.1"}, "ru"),
        ("", {"Accept-Language": "de-DE,fr;q=0.5"}, "en"),
        ("?lang=en", RU, "en"),
        ("?lang=ru", {"Accept-Language": "en-US"}, "ru"),
        ("?lang=RU", {}, "ru"),
        ("?lang=ru-RU", {}, "ru"),
        ("?lang=ru_RU", {}, "ru"),
        ("?lang=xx", RU, "ru"),
        ("?lang=xx", {}, "en"),
    ],
)
def test_lang_argument_else_accept_language(app: Flask, query, headers, expected):
    response = app.test_client().get(f"/about{query}", headers=headers)
    assert response.status_code == 200
    assert seen(response.get_data(as_text=True), expected)[0] == expected
    assert response.headers["Content-Language"] == expected
    assert "Accept-Language" in response.headers["Vary"]


def test_links_keep_a_language_chosen_by_lang(app: Flask):
    client = app.test_client()
    html = client.get("/?q=minsk&person=Lukashenka&lang=ru").get_data(as_text=True)
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="(/[^"]*)"', html)]
    pages_ = [link for link in links if not link.startswith(("/static/", "/api/", "/feed"))]
    assert len(pages_) > 20
    switch = [link for link in pages_ if "lang=en" in link]
    assert switch == ["/?q=minsk&person=Lukashenka&lang=en"]  # the language switch
    assert all("lang=ru" in link for link in pages_ if link not in switch), pages_
    assert all("lang" not in link for link in links if link.startswith(("/api/", "/feed")))
    assert '<input type="hidden" name="lang" value="ru">' in html  # the form keeps it too
    for link in {pages_[0], *(link for link in pages_ if link.startswith("/people/"))}:
        followed = client.get(link)  # no Accept-Language: the link alone says Russian
        assert seen(followed.get_data(as_text=True), "ru")[0] == "ru", link
    # A language from Accept-Language needs no argument in the links but the switch's.
    html = client.get("/?q=minsk", headers=RU).get_data(as_text=True)
    assert re.findall(r'href="[^"]*lang=ru[^"]*"', html) == ['href="/?q=minsk&amp;lang=ru"']


def test_api_answers_do_not_depend_on_the_language(app: Flask):
    client = app.test_client()
    english = client.get("/api/articles/belarus-1")
    russian = client.get("/api/articles/belarus-1?lang=ru", headers=RU)
    assert english.get_json() == russian.get_json()
    assert "lang=" not in russian.get_json()["html_url"]
    assert "Content-Language" not in russian.headers


# ---- every page in both languages ----


@pytest.mark.parametrize("url", pages("Минск", "Александр Лукашенко", "ru-1"))
def test_a_russian_page_has_no_english_interface_words(russian_app, url):
    """On a Russian archive the page's own text is Russian, so any English word the
    catalogue holds is interface text left untranslated."""
    response = fetch(russian_app, url, RU)
    assert response.status_code in (200, 400, 401, 404), url
    lang, text = seen(response.get_data(as_text=True), "ru")
    assert lang == "ru"
    assert re.search("[а-яё]{4}", text), text
    left = set(re.findall(r"[A-Za-z]+", text)) & ENGLISH_WORDS
    assert not left, f"English on {url}: {sorted(left)} in {text}"


@pytest.mark.parametrize("url", pages("minsk", "Lukashenka", "belarus-1"))
def test_every_page_renders_in_both_languages(app: Flask, url):
    english = fetch(app, url, {})
    russian = fetch(app, url, RU)
    assert english.status_code == russian.status_code, url
    en_lang, en_text = seen(english.get_data(as_text=True), "en")
    ru_lang, ru_text = seen(russian.get_data(as_text=True), "ru")
    assert (en_lang, ru_lang) == ("en", "ru")
    assert en_text != ru_text
    shown = [phrase for phrase in ENGLISH_PHRASES if phrase in en_text]
    assert shown or url == "/embed", en_text  # the English page does use the catalogue
    assert not [phrase for phrase in ENGLISH_PHRASES if phrase in ru_text], ru_text


def test_article_page_in_russian(app: Flask, russian_app: Flask):
    html = app.test_client().get("/articles/xss-1?lang=ru").get_data(as_text=True)
    assert '<p class="credit">Фото: &lt;b&gt;Belta&lt;/b&gt;</p>' in html  # escaped
    assert (
        '<time datetime="2017-06-19T12:17:00">19 июня 2017\N{NARROW NO-BREAK SPACE}г.</time>'
        in html
    )
    assert '<article class="article" lang="en">' in html  # the article keeps its language
    client = russian_app.test_client()
    html = client.get("/articles/ru-1", headers=RU).get_data(as_text=True)
    assert '<p class="credit">Фото: &#34;Белорусская военная газета&#34;</p>' in html
    english = client.get("/articles/ru-1").get_data(as_text=True)
    assert '<p class="credit">Photo: &#34;Белорусская военная газета&#34;</p>' in english


def test_counts_on_russian_pages_agree_with_their_numbers(russian_app: Flask):
    client = russian_app.test_client()
    about = seen(client.get("/about", headers=RU).get_data(as_text=True), "ru")[1]
    assert "3 статьи (с датой: 3), с 19 июня 2017 г. по 10 марта 2018 г." in about
    search = seen(client.get("/?q=Минск", headers=RU).get_data(as_text=True), "ru")[1]
    assert re.search(r"\b3 результата\b", search), search
    person = seen(
        client.get("/people/Александр Лукашенко", headers=RU).get_data(as_text=True), "ru"
    )[1]
    assert "Упоминается в 3 статьях, с 19 июня 2017 г. по 10 марта 2018 г." in person


# ---- the templates ----


def template_sources() -> list[Path]:
    return sorted(TEMPLATES.glob("*.html"))


@pytest.mark.parametrize("path", template_sources(), ids=lambda p: p.name)
def test_templates_hold_no_interface_text_of_their_own(path: Path):
    """Every word a template shows comes from the catalogue: outside Jinja tags and HTML
    markup, no letters; no prose in Jinja string literals or literal text attributes."""
    if path.name == "widget.html":
        pytest.skip("the widget's developer docs are English, like the README (lang=en)")
    source = path.read_text(encoding="utf-8")
    literals = re.findall(r"""(?<=[(,=\s])(['"])([^'"{}]*)\1""", _jinja_parts(source))
    prose = [text for _, text in literals if re.search(r"[A-Za-z]{2,}\s+[A-Za-z]", text)]
    assert not prose, prose
    markup = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "§", source, flags=re.S)
    for name, value in re.findall(r'\s(title|aria-label|placeholder|alt)="([^"]*)"', markup):
        assert not re.search(r"[^\W\d_]", value.replace("§", "")), (name, value)
    text = re.sub(r"<(style|script|code)\b.*?</\1>", " ", markup, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&\w+;|§", " ", text)
    assert not re.search(r"[^\W\d_]", text), " ".join(text.split())


def _jinja_parts(source: str) -> str:
    return " ".join(re.findall(r"\{\{.*?\}\}|\{%.*?%\}", source, flags=re.S))


def test_widget_docs_are_marked_english(app: Flask):
    html = app.test_client().get("/widget", headers=RU).get_data(as_text=True)
    assert '<html lang="ru">' in html and '<article class="widget-docs" lang="en">' in html
