"""One entity across Cyrillic and Latin: romanisation, the evidence rule, and a mixed archive
(English and Russian articles, entities given in the JSONL `entities` field) where a facet
value counts once, shows in the page's script, and a name finds articles in either script.

The names under test (Kolesnikova, Babariko, Petrov, Tsikhanouski) are not in the shipped
alias file; the test checks that first, so the joins come from transliteration and context.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from index.consolidation import consolidate_index
from index.entities import apply_aliases
from index.entities.scripts import CrossScript, romanisations, skeleton
from index.readers import Parsed
from index.records import RecordError, article_from_dict
from index.writer import ingest
from search import Archive
from search.aliases import load_aliases
from search.scripts import display_spelling, facet_identity, script
from web import create_app

UNLISTED = ["Maria Kolesnikova", "Мария Колесникова", "Viktor Babariko", "Виктор Бабарико",
            "Ivan Petrov", "Иван Петров", "Siarhei Tsikhanouski", "Сяргей Ціханоўскі"]  # fmt: skip


def test_names_under_test_are_not_in_the_shipped_alias_file():
    aliases = load_aliases()
    assert len(aliases) > 50  # the shipped file was read
    assert aliases.canonical("person", "Лукашенко") == "Lukashenka"  # a listed one, for contrast
    for name in UNLISTED:
        assert aliases.kinds(name) == [], name


def test_belarusian_national_and_press_romanisations():
    # The national system (2007/2023) and the English press's spelling both come out...
    assert skeleton("Lukašenka") in romanisations("Лукашэнка")
    assert skeleton("Lukashenka") in romanisations("Лукашэнка")
    assert skeleton("Cichanoŭskaja") in romanisations("Ціханоўская")
    assert skeleton("Tsikhanouskaya") in romanisations("Ціханоўская")
    assert skeleton("Aliaksandr") in romanisations("Аляксандр")
    # ...and fold to different skeletons: matching needs both tables, not one folding
    assert skeleton("Cichanoŭskaja") != skeleton("Tsikhanouskaya")
    assert skeleton("Siarhei Tsikhanouski") in romanisations("Сяргей Ціханоўскі")
    # Russian schemes (iuliia): the agencies' and the passports' spellings
    assert skeleton("Volodymyr Zelenskyy").split()[-1] in {
        s.split()[-1] for s in romanisations("Владимир Зеленский")
    }
    assert skeleton("Boris Yeltsin") in romanisations("Борис Ельцин")
    assert skeleton("Maria Kolesnikova") in romanisations("Мария Колесникова")
    assert skeleton("Lukashenka") not in romanisations("Лукашенко")  # the alias file's job


def test_script_identity_and_display():
    assert script("Владимир Путин") == "cyrillic" and script("Łukašenka") == "latin"
    assert script("1999") is None
    assert facet_identity("Владимир Путин", "Vladimir Putin") == "Vladimir Putin"
    assert facet_identity("Vladimir Putin", "Владимир Путин") == "Vladimir Putin"
    counts = {"Vladimir Putin": 2, "Владимир Путин": 5, "Putin": 1}
    assert display_spelling(counts, "en") == "Vladimir Putin"
    assert display_spelling(counts, "ru") == "Владимир Путин"
    assert display_spelling(counts, None) == "Владимир Путин"  # most articles
    assert display_spelling({"Vladimir Putin": 2}, "ru") == "Vladimir Putin"  # only spelling


def test_aliases_keep_an_articles_own_script():
    out = apply_aliases({"person": ["Лукашенко", "Alexander Lukashenko"]}, load_aliases())
    assert out["person"] == ["Лукашенко", "Lukashenka"]


ENGLISH = [
    {"person": ["Maria Kolesnikova", "Viktor Babariko", "Lukashenka"], "place": ["Minsk"]},
    {"person": ["Maria Kolesnikova", "Lukashenka"], "place": ["Minsk", "Belarus"]},
    {"person": ["Vladimir Putin", "Lukashenka"], "place": ["Moscow", "Russia"]},
    # a Bulgarian footballer and a Russian banker: the names transliterate alike
    {"person": ["Ivan Petrov"], "organization": ["CSKA Sofia"], "place": ["Sofia", "Minsk"]},
    {"person": ["Siarhei Tsikhanouski", "Lukashenka"], "place": ["Belarus", "Homiel"]},
]
RUSSIAN = [
    {
        "person": ["Мария Колесникова", "Виктор Бабарико", "Александр Лукашенко"],
        "place": ["Минск", "Беларусь"],
    },
    {"person": ["Владимир Путин", "Лукашенко"], "place": ["Москва"]},
    {"person": ["Иван Петров"], "organization": ["Газпромбанк"], "place": ["Москва", "Минск"]},
    {"person": ["Сяргей Ціханоўскі", "Лукашэнка"], "place": ["Гомель", "Беларусь"]},
]


def test_joins_need_evidence():
    table = CrossScript.build(ENGLISH + RUSSIAN, load_aliases())
    pairs = table.pairs(RUSSIAN[0])
    assert pairs["person"] == {
        "Мария Колесникова": "Maria Kolesnikova",  # transliteration + shared context
        "Виктор Бабарико": "Viktor Babariko",
        "Александр Лукашенко": "Lukashenka",  # the alias file
    }
    assert pairs["place"] == {"Минск": "Minsk", "Беларусь": "Belarus"}
    assert table.pairs(RUSSIAN[3])["person"]["Сяргей Ціханоўскі"] == "Siarhei Tsikhanouski"
    # Гомель -> Homel, Homiel -> the same skeleton; the context joins them
    assert table.pairs(RUSSIAN[3])["place"]["Гомель"] == "Homiel"
    # Ivan Petrov: alike names, one shared place (Minsk): not evidence enough
    assert "person" not in table.pairs(RUSSIAN[2])
    assert "person" not in table.pairs(ENGLISH[3])
    # the English article records the Cyrillic spelling of its joined values
    assert table.pairs(ENGLISH[0])["person"]["Maria Kolesnikova"] == "Мария Колесникова"


def test_no_join_without_context():
    """The same two names, transliterating alike, but nothing else in common: no join."""
    table = CrossScript.build(
        [{"person": ["Maria Kolesnikova"]}, {"person": ["Мария Колесникова"]}], load_aliases()
    )
    assert len(table) == 0
    # two Latin values both shared by context: the tie joins neither
    articles = [
        {"person": ["Ivan Petrov", "Lukashenka"], "place": ["Belarus"]},
        {"person": ["I. Petrov", "Lukashenka"], "place": ["Belarus"]},
        {"person": ["Иван Петров", "Лукашенко"], "place": ["Беларусь"]},
    ]
    assert CrossScript.build(articles, load_aliases()).pairs(articles[2]).get("person") == {
        "Лукашенко": "Lukashenka"
    }


def test_other_script_records_are_validated():
    record = {"id": "a", "title": "t", "other_script": {"person": {"Путин": "Putin"}}}
    assert article_from_dict(record).to_dict()["other_script"] == {"person": {"Путин": "Putin"}}
    assert "other_script" not in article_from_dict({"id": "a", "title": "t"}).to_dict()
    with pytest.raises(RecordError, match="other_script: unknown kind 'people'"):
        article_from_dict({"title": "t", "other_script": {"people": {}}})
    with pytest.raises(RecordError, match=r"other_script\.person\.Путин: expected a string"):
        article_from_dict({"title": "t", "other_script": {"person": {"Путин": 1}}})


@pytest.fixture(scope="module")
def mixed_path(tmp_path_factory) -> Path:
    """English and Russian articles with given entities, consolidated as `reindex-entities` does."""

    def body(entities: dict[str, list[str]]) -> str:
        return ", ".join(v for values in entities.values() for v in values) + "."

    docs = [
        {"id": f"en{i}", "title": f"English report {i}", "body": body(e), "language": "en",
         "entities": e}
        for i, e in enumerate(ENGLISH)
    ] + [
        {"id": f"ru{i}", "title": f"Новости {i}", "body": body(e), "language": "ru",
         "entities": e}
        for i, e in enumerate(RUSSIAN)
    ]  # fmt: skip
    path = tmp_path_factory.mktemp("mixed") / "ix"
    items = [Parsed(f"t:{i}", article_from_dict(d)) for i, d in enumerate(docs)]
    assert ingest(path, items, extract=False).ok
    report = consolidate_index(path)
    assert report.articles == 9 and report.rewritten >= 6
    return path


@pytest.fixture(scope="module")
def mixed(mixed_path) -> Archive:
    return Archive(mixed_path)


def _facet(answer: dict, kind: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in answer["facets"][kind]}


def test_one_facet_value_one_count_in_the_pages_script(mixed):
    english = mixed.search("", facet_size=50, language="en")
    russian = mixed.search("", facet_size=50, language="ru")
    assert english["total"] == 9
    assert _facet(english, "person")["Maria Kolesnikova"] == 2 + 1
    assert _facet(russian, "person")["Мария Колесникова"] == 3
    assert "Мария Колесникова" not in _facet(english, "person")
    assert _facet(english, "person")["Lukashenka"] == 4 + 3
    # the most used Cyrillic spelling: consolidation made ru1's Лукашенко the full name
    assert _facet(russian, "person")["Александр Лукашенко"] == 7
    assert _facet(russian, "place")["Минск"] == 5  # the Petrovs' articles both say Minsk
    # different people stay two values, each with its own articles
    assert _facet(english, "person")["Ivan Petrov"] == 1
    assert _facet(english, "person")["Иван Петров"] == 1
    # either spelling filters to the same articles
    for name in ("Maria Kolesnikova", "Мария Колесникова", "мария колесникова"):
        assert mixed.search("", filters={"person": [name]})["total"] == 3, name


def test_a_name_finds_articles_in_the_other_script(mixed):
    def ids(q: str) -> set[str]:
        return {r["id"] for r in mixed.search(q, per_page=20)["results"]}

    assert ids("Колесникова") == {"en0", "en1", "ru0"}
    assert ids("Kolesnikova") == {"en0", "en1", "ru0"}
    assert ids("Бабарико") == {"en0", "ru0"}
    assert ids("Tsikhanouski") == {"en4", "ru3"}
    assert ids("Ціханоўскі") == {"en4", "ru3"}
    assert ids("person:Колесникова") == {"en0", "en1", "ru0"}
    assert ids("Петров") == {"ru2"}  # not the footballer
    assert ids("Petrov") == {"en3"}
    # ranked by the same BM25F: the entity field's words score, title and body are empty
    scores = {r["id"]: r["score"] for r in mixed.search("Бабарико")["results"]}
    assert scores["en0"] > 0 and scores["ru0"] > 0


def test_the_entity_page_shows_the_other_spelling(mixed):
    page = mixed.entity("person", "Мария Колесникова")
    assert page is not None and page["articles"] == 3
    assert page["name"] == "Maria Kolesnikova"
    assert "Мария Колесникова" in [s["text"] for s in page["spellings"]]
    assert mixed.entity_value("person", "мария колесникова") == "Maria Kolesnikova"
    assert page["other_script"] == "Мария Колесникова"
    assert mixed.entity("person", "Ivan Petrov")["other_script"] is None


def test_the_entity_page_on_the_site(mixed_path):
    client = create_app(
        {"INDEX_DIR": mixed_path, "RATE_LIMIT": "off", "TESTING": True}
    ).test_client()
    moved = client.get("/people/" + quote("Мария Колесникова"))
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/people/Maria%20Kolesnikova")
    page = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert '<p class="entity-other-script">Мария Колесникова</p>' in page
    answer = client.get("/api/entities/person/Maria%20Kolesnikova").get_json()
    assert answer["other_script"] == "Мария Колесникова" and answer["articles"] == 3


def test_the_search_page_shows_facets_in_its_language(mixed_path):
    client = create_app(
        {"INDEX_DIR": mixed_path, "RATE_LIMIT": "off", "TESTING": True}
    ).test_client()
    russian = client.get("/?q=&lang=ru").get_data(as_text=True)
    english = client.get("/?q=", headers={"Accept-Language": "en"}).get_data(as_text=True)
    shown = '<span class="facet-name">{}</span>'.format
    assert shown("Мария Колесникова") in russian and shown("Maria Kolesnikova") not in russian
    assert shown("Maria Kolesnikova") in english and shown("Мария Колесникова") not in english


RUSSIAN_NEWS = [
    {
        "id": "ru-navalny",
        "date": "2020-08-22T12:00:00",
        "title": "Алексея Навального доставили на лечение в Берлин",
        "body": "Политика Алексея Навального, которому стало плохо на борту самолёта из Томска, "
        "доставили из Омска в берлинскую клинику Шарите. Владимир Путин не комментировал.",
        "entities": {
            "person": ["Алексей Навальный", "Владимир Путин"],
            "place": ["Берлин", "Омск", "Томск", "Германия", "Россия"],
        },
    },
    {
        "id": "ru-magnitogorsk",
        "date": "2019-01-01T12:00:00",
        "title": "В Магнитогорске обрушился подъезд жилого дома",
        "body": "В Магнитогорске после взрыва газа обрушился подъезд десятиэтажного дома. "
        "На место прибыли Владимир Путин и глава МЧС Евгений Зиничев.",
        "entities": {
            "person": ["Владимир Путин", "Евгений Зиничев"],
            "organization": ["МЧС"],
            "place": ["Магнитогорск", "Россия"],
        },
    },
    {
        "id": "ru-zelensky",
        "date": "2019-09-25T12:00:00",
        "title": "Зеленский и Трамп встретились в Нью-Йорке",
        "body": "Президент Украины Владимир Зеленский встретился с Дональдом Трампом.",
        "entities": {
            "person": ["Владимир Зеленский", "Дональд Трамп"],
            "place": ["Украина", "Нью-Йорк"],
        },
    },
]


def test_the_demo_archive_with_russian_articles(demo_index, tmp_path):
    """The English demo (entities extracted) plus Russian news (entities given): Путин finds
    the English articles on Putin, Putin the Russian ones, through the entity."""
    path = shutil.copytree(demo_index, tmp_path / "ix")
    russian = [Parsed(f"ru:{i}", article_from_dict({**d, "language": "ru"}))
               for i, d in enumerate(RUSSIAN_NEWS)]  # fmt: skip
    assert ingest(path, russian, extract=False).ok
    report = consolidate_index(path)
    assert report.articles == 296 and report.cross_script >= 8, report.summary()
    archive = Archive(path)

    def ids(q: str) -> set[str]:
        return {r["id"] for r in archive.search(q, per_page=50)["results"]}

    english_putin = {i for i in ids("Putin") if i.startswith("wikinews-")}
    assert len(english_putin) == 5  # the demo's articles naming him
    assert ids("Путин") == ids("Putin") == english_putin | {"ru-navalny", "ru-magnitogorsk"}
    # names the alias file does not list: joined by transliteration and context
    assert archive.article("ru-navalny")["other_script"]["person"] == {
        "Алексей Навальный": "Alexei Navalny",
        "Владимир Путин": "Vladimir Putin",
    }
    english_navalny = {i for i in ids("Navalny") if i.startswith("wikinews-")}
    assert len(english_navalny) == 2 and "ru-navalny" in ids("Navalny")
    assert english_navalny <= ids("Навальный")
    assert (
        ids("Зиничев")
        == ids("Zinichev")
        == {
            "ru-magnitogorsk",
            "wikinews-Magnitogorsk_apartment_building_collapses_after_explosion-_dozens_dead",
        }
    )
    # no evidence, no join: Трамп is not "Trump" in any romanisation, and stays apart
    assert "Дональд Трамп" not in archive.article("ru-zelensky").get("other_script", {}).get(
        "person", {}
    )
    putin = {"en": "Vladimir Putin", "ru": "Владимир Путин"}
    for language, name in putin.items():
        facet = _facet(archive.search("", facet_size=50, language=language), "person")
        assert facet[name] == 7, language
