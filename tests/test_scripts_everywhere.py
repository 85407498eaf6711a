"""A name in two scripts is shown in the spelling of the asker's language on every surface:
search facets, Recent trends, entity pages, suggestions, and the JSON API's `lang`.

The archive is the English demo (entities extracted) plus Russian news (entities given),
consolidated as after an ingest: Vladimir Putin (the alias file knows him) and Alexei
Navalny (it does not; joined by transliteration and context) are each one value, named in
English articles in Latin and in Russian ones in Cyrillic. Six Russian articles in the demo's
last month make Navalny rise in Recent trends.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from index.consolidation import consolidate_index
from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import Archive
from web import create_app

PUTIN = {"en": "Vladimir Putin", "ru": "Владимир Путин"}
NAVALNY = {"en": "Alexei Navalny", "ru": "Алексей Навальный"}
RUSSIA = {"en": "Russia", "ru": "Россия"}
OTHER = {"en": "ru", "ru": "en"}

RUSSIAN = [
    {
        "id": "ru-navalny",
        "date": "2020-08-22T12:00:00",
        "title": "Алексея Навального доставили на лечение в Берлин",
        "body": "Политика Алексея Навального доставили из Омска в берлинскую клинику Шарите. "
        "Владимир Путин не комментировал.",
        "entities": {
            "person": ["Алексей Навальный", "Владимир Путин"],
            "place": ["Берлин", "Омск", "Германия", "Россия"],
        },
    },
    {
        "id": "ru-magnitogorsk",
        "date": "2019-01-01T12:00:00",
        "title": "В Магнитогорске обрушился подъезд жилого дома",
        "body": "На место прибыли Владимир Путин и глава МЧС Евгений Зиничев.",
        "entities": {
            "person": ["Владимир Путин", "Евгений Зиничев"],
            "organization": ["МЧС"],
            "place": ["Магнитогорск", "Россия"],
        },
    },
] + [
    {
        "id": f"ru-december-{day}",
        "date": f"2020-12-{day:02d}T10:00:00",
        "title": f"Путин ответил на вопрос о Навальном {day} декабря",
        "body": "Владимир Путин ответил на вопросы журналистов об Алексее Навальном.",
        "entities": {"person": ["Владимир Путин", "Алексей Навальный"], "place": ["Россия"]},
    }
    for day in (2, 6, 9, 13, 16, 23)
]
ENGLISH_PUTIN, ENGLISH_NAVALNY = 5, 2  # the demo's articles naming each (extracted)


@pytest.fixture(scope="module")
def bilingual(demo_index, tmp_path_factory) -> Path:
    path = shutil.copytree(demo_index, tmp_path_factory.mktemp("bilingual") / "ix")
    items = [
        Parsed(f"ru:{i}", article_from_dict({**d, "language": "ru"})) for i, d in enumerate(RUSSIAN)
    ]
    assert ingest(path, items, extract=False).ok
    report = consolidate_index(path)
    assert report.articles == 293 + len(RUSSIAN), report.summary()
    return path


@pytest.fixture(scope="module")
def archive(bilingual) -> Archive:
    return Archive(bilingual)


@pytest.fixture(scope="module")
def client(bilingual):
    app = create_app({"INDEX_DIR": bilingual, "RATE_LIMIT": "off", "TESTING": True})
    return app.test_client()


def test_the_archive_holds_each_name_once(archive):
    """The premise: one value per person, counted over both scripts' articles."""
    putin = ENGLISH_PUTIN + len(RUSSIAN)
    navalny = ENGLISH_NAVALNY + 1 + 6
    for lang in ("en", "ru"):
        for name, total in ((PUTIN[lang], putin), (NAVALNY[lang], navalny)):
            assert archive.search("", filters={"person": [name]})["total"] == total, name
    assert archive.entity_value("person", "Путин") == "Vladimir Putin"


def _people(answer: dict) -> dict[str, int]:
    return {v["value"]: v["count"] for v in answer["facets"]["person"]}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_api_search_facets_in_the_asked_language(client, lang):
    people = _people(client.get(f"/api/search?facet_size=50&lang={lang}").get_json())
    assert people[PUTIN[lang]] == ENGLISH_PUTIN + len(RUSSIAN)
    assert people[NAVALNY[lang]] == ENGLISH_NAVALNY + 7
    assert PUTIN[OTHER[lang]] not in people and NAVALNY[OTHER[lang]] not in people


def test_lang_is_normalised_as_the_site_does_and_defaults_to_the_most_used(client, archive):
    asked = {
        code: _people(client.get(f"/api/search?facet_size=50&lang={code}").get_json())
        for code in ("ru", "RU", "ru-RU", "ru_RU", "en-GB")
    }
    assert asked["RU"] == asked["ru-RU"] == asked["ru_RU"] == asked["ru"]
    assert PUTIN["en"] in asked["en-GB"]
    # without lang, as before: each value in its most used spelling, whatever the browser says
    plain = client.get("/api/search?facet_size=50", headers={"Accept-Language": "ru"})
    assert _people(plain.get_json()) == _people(archive.search("", facet_size=50))
    assert NAVALNY["ru"] in _people(plain.get_json())  # 7 Russian articles to 2 English
    assert PUTIN["en"] in _people(plain.get_json())


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_api_trends_in_the_asked_language(client, lang):
    answer = client.get(f"/api/trends?facet=person&lang={lang}").get_json()
    rising = {item["value"]: item for item in answer["rising"]}
    assert NAVALNY[OTHER[lang]] not in rising
    navalny = rising[NAVALNY[lang]]
    # one value: the window's six Russian articles; before it, two English and one Russian
    assert (navalny["count"], navalny["baseline_count"]) == (6, ENGLISH_NAVALNY + 1)


def _trends_block(page: str) -> str:
    return re.search(r'class="trends-block".*?class="trends-more"', page, re.S).group()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_recent_trends_on_the_home_page_and_trends_page(client, lang):
    by_argument = client.get(f"/?lang={lang}").get_data(as_text=True)
    by_browser = client.get("/", headers={"Accept-Language": lang}).get_data(as_text=True)
    for page in (by_argument, by_browser):
        block = _trends_block(page)
        assert f">{NAVALNY[lang]}</a>" in block and NAVALNY[OTHER[lang]] not in block
    trends = client.get(f"/trends?lang={lang}").get_data(as_text=True)
    assert f">{NAVALNY[lang]}<" in trends and NAVALNY[OTHER[lang]] not in trends
    # the link filters by the shown spelling, which finds the same articles
    link = re.search(r'<a href="([^"]+)">' + NAVALNY[lang] + "</a>", _trends_block(by_argument))
    assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_api_entity_in_the_asked_language(client, lang):
    # any spelling redirects to the canonical URL, keeping lang
    answer = client.get(
        "/api/entities/person/" + quote("Путин") + f"?lang={lang}", follow_redirects=True
    ).get_json()
    assert answer["value"] == "Vladimir Putin"  # the URL's, in any language
    assert answer["name"] == PUTIN[lang] and answer["other_script"] == PUTIN[OTHER[lang]]
    assert PUTIN[lang] not in [s["text"] for s in answer["spellings"]]
    assert PUTIN[OTHER[lang]] in [s["text"] for s in answer["spellings"]]
    people = {item["value"]: item["count"] for item in answer["related"]["person"]}
    places = {item["value"] for item in answer["related"]["place"]}
    assert people[NAVALNY[lang]] == ENGLISH_NAVALNY + 7 and NAVALNY[OTHER[lang]] not in people
    assert RUSSIA[lang] in places and RUSSIA[OTHER[lang]] not in places
    assert answer["articles"] == ENGLISH_PUTIN + len(RUSSIAN)


def test_api_entity_without_lang_is_as_before(client):
    answer = client.get("/api/entities/person/Vladimir%20Putin").get_json()
    assert answer["name"] == answer["value"] == "Vladimir Putin"
    assert answer["other_script"] == PUTIN["ru"]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_entity_page_in_the_pages_language(client, lang):
    for headers, query in (({}, f"?lang={lang}"), ({"Accept-Language": lang}, "")):
        page = client.get("/people/Vladimir%20Putin" + query, headers=headers)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f"<h1>{PUTIN[lang]}</h1>" in html
        assert f'<p class="entity-other-script">{PUTIN[OTHER[lang]]}</p>' in html
        related = html[html.index('class="facets related"') :]
        assert f">{NAVALNY[lang]}</a>" in related and NAVALNY[OTHER[lang]] not in related
        assert f">{RUSSIA[lang]}</a>" in related
    # the canonical URL stays the same in every language
    assert '<link rel="canonical" href="/people/Vladimir%20Putin">' in html


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_api_suggest_in_the_asked_language(client, lang):
    for typed in ("пут", "put", "Путин"):
        answer = client.get(f"/api/suggest?q={quote(typed)}&lang={lang}").get_json()
        people = [s for s in answer["suggestions"] if s["kind"] == "person"]
        # one suggestion, counted as the facet counts it (live articles in both scripts)
        assert people == [
            {"text": PUTIN[lang], "kind": "person", "count": ENGLISH_PUTIN + len(RUSSIAN)}
        ], typed
    answer = client.get(f"/api/suggest?q=navaln&lang={lang}").get_json()
    assert [s["text"] for s in answer["suggestions"] if s["kind"] == "person"] == [NAVALNY[lang]]


@pytest.mark.parametrize(
    "path",
    [
        "/api/search?q=putin",
        "/api/suggest?q=put",
        "/api/trends?facet=person",
        "/api/entities/person/Vladimir%20Putin",
        "/api/entities/person/" + quote("Путин"),  # checked before the redirect
    ],
)
@pytest.mark.parametrize("lang", ["xx", "fr", "*", "ru-", "english"])
def test_an_unsupported_lang_is_a_400_naming_it(client, path, lang):
    response = client.get(f"{path}{'&' if '?' in path else '?'}lang={quote(lang)}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == "lang" and "en or ru" in error["message"]


def test_pages_ignore_an_unsupported_lang(client):
    """A page falls back to the browser's language, as it always has."""
    page = client.get("/?lang=xx", headers={"Accept-Language": "ru"})
    assert page.status_code == 200 and page.headers["Content-Language"] == "ru"


def test_openapi_documents_lang_on_every_endpoint_it_applies_to(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/search", "/api/suggest", "/api/trends", "/api/entities/{kind}/{value}"):
        params = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        pattern = re.compile(params["lang"]["schema"]["pattern"])
        assert all(pattern.fullmatch(code) for code in ("en", "ru", "RU", "ru-RU", "ru_RU"))
        assert not any(pattern.fullmatch(code) for code in ("xx", "*", "ru-"))
    for path in ("/api/timeline", "/api/health"):
        assert "lang" not in {p["name"] for p in paths[path]["get"]["parameters"]}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_about_page_top_values_in_the_pages_language(client, lang):
    html = client.get(f"/about?lang={lang}").get_data(as_text=True)
    top = html[html.index('class="top-values"') :]
    assert PUTIN[lang] in top and PUTIN[OTHER[lang]] not in top
