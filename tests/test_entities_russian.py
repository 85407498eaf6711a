"""Entities in Russian text: the dictionary forms, the factRuEval texts, ingest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.factrueval import TEXTS, read_factrueval
from index.entities import extract_entities
from index.entities.folding import key
from index.entities.russian import dictionary_forms
from index.entities.russian_forms import dictionary_form
from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import Archive

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("written", "kind", "nominative"),
    [
        ("Александром Налбандовым", "person", "Александр Налбандов"),
        ("Аллой Пугачевой", "person", "Алла Пугачева"),
        ("Юрию Долгорукому", "person", "Юрий Долгорукий"),
        ("Владимиром Владимировичем Путиным", "person", "Владимир Владимирович Путин"),
        ("Барака Обамы", "person", "Барак Обама"),
        ("Джоном Керри", "person", "Джон Керри"),
        ("Путина", "person", "Путин"),
        ("Тверской площади", "place", "Тверская площадь"),
        ("Соединённых Штатах Америки", "place", "Соединенные Штаты Америки"),
        ("Нью-Йорке", "place", "Нью-Йорк"),
        ("Нидерландах", "place", "Нидерланды"),
        ("Республики Беларусь", "place", "Республика Беларусь"),
        ("Союза координационных советов", "organization", "Союз координационных советов"),
        ("Министерства иностранных дел", "organization", "Министерство иностранных дел"),
        ("Государственной думы", "organization", "Государственная дума"),
        ("МИДа", "organization", "МИД"),
        ("Reuters", "organization", "Reuters"),
    ],
)
def test_names_are_put_in_the_nominative(written, kind, nominative):
    assert dictionary_form(written, kind) == nominative


def test_a_quoted_name_keeps_its_form_and_a_surname_follows_its_full_name():
    assert dictionary_form("Известия", "organization", quoted=True) == "Известия"
    assert dictionary_form("Известий", "organization") == "Известия"
    text = "Сергей Удальцов пришёл. Задержание Удальцова осудили."
    mentions = dictionary_forms(text, [("person", 0, 15), ("person", 35, 44)])
    assert [m.text for m in mentions] == ["Сергей Удальцов", "Удальцов"]
    alone = dictionary_forms("Задержание Удальцова осудили.", [("person", 11, 20)])
    assert [m.text for m in alone] == ["Удальцова"]  # a woman's name as well: nothing settles it


def test_russian_text_goes_to_the_russian_model():
    title = "<b>Ереван</b> и Баку"
    body = (
        "Министр иностранных дел Армении Эдвард Налбандян встретился в Москве "
        "с Александром Налбандовым. Фото: «Белорусская военная газета»\n"
        "ОАО «Газпром» и Правительство • Сбербанк России прокомментировали встречу."
    )
    entities = extract_entities(title, body, language="ru")
    assert "Эдвард Налбандян" in entities["person"]
    assert "Александр Налбандов" in entities["person"]
    assert {"Москва", "Армения", "Ереван", "Баку"} <= set(entities["place"])
    assert "Газпром" in entities["organization"]  # the legal form is no part of the name
    assert "Сбербанк" in entities["organization"]  # a list split at its bullet
    assert "Правительство" not in entities["organization"]  # a body's kind, no name
    assert not [v for vs in entities.values() for v in vs if "газета" in v.casefold()]  # credit


def test_a_huge_unpunctuated_article_is_tagged_in_bounded_runs():
    filler = "и снова говорили о погоде " * 1_500  # 39,000 characters, no sentence end
    body = f"Вчера Сергей Лавров прилетел {filler} а потом Сергей Шойгу улетел в Казань"
    entities = extract_entities("", body, language="ru")
    assert {"Сергей Лавров", "Сергей Шойгу"} <= set(entities["person"])
    assert "Казань" in entities["place"]
    assert extract_entities("", "<p> </p>", language="ru") == {
        "person": [], "organization": [], "place": []
    }  # fmt: skip


@pytest.fixture(scope="module")
def factrueval(corpora):
    texts = read_factrueval(corpora / "factrueval-dev")
    assert len(texts) == TEXTS
    names = {t.name: t for t in texts}
    assert names["book_100"].title.startswith("В понедельник 28 июня у здания мэрии Москвы")
    return names


def test_factrueval_gold_reads_as_naeval_does(factrueval):
    first = factrueval["book_100"]
    gold = {(m.kind, m.text) for m in dictionary_forms(first.text, first.mentions)}
    assert ("person", "Юрий Лужков") in gold  # "Юрия Лужкова" as written
    assert ("place", "Москва") in gold  # a LocOrg
    assert ("organization", "Солидарность") in gold  # the org_name of "движения «Солидарность»"
    assert not any(text.startswith("мэри") for _, text in gold)  # a description, no name
    assert sum(t.held_out for t in factrueval.values()) == 65  # the fixed split


def test_most_gold_people_of_real_texts_are_found_in_dictionary_form(factrueval):
    found = missed = 0
    for text in list(factrueval.values())[:12]:
        people = {m.text for m in dictionary_forms(text.text, text.mentions) if m.kind == "person"}
        extracted = {key(v) for v in extract_entities(text.title, text.body, "ru")["person"]}
        found += sum(key(p) in extracted for p in people)
        missed += sum(key(p) not in extracted for p in people)
    assert found > 30 and found >= 0.85 * (found + missed), (found, missed)


def test_a_russian_article_is_ingested_with_its_entities_in_dictionary_form(tmp_path, factrueval):
    text = factrueval["book_100"]
    row = {"id": "ru1", "title": text.title, "body": text.body, "language": "ru"}
    english = {"id": "en1", "title": "Talks in Minsk", "body": "Vladimir Putin met in Minsk."}
    items = [Parsed("t:1", article_from_dict(row)), Parsed("t:2", article_from_dict(english))]
    assert ingest(tmp_path / "ix", items).ok
    archive = Archive(tmp_path / "ix")
    stored = archive.article("ru1")["entities"]
    assert {"Юрий Лужков", "Борис Громов", "Сергей Удальцов"} <= set(stored["person"])
    assert {"Москва", "Тверская площадь"} <= set(stored["place"])
    assert "Мосгордума" in stored["organization"]
    assert "Minsk" in archive.article("en1")["entities"]["place"]  # the English model's


@pytest.mark.slow
def test_english_ingest_never_loads_the_russian_model(tmp_path):
    script = f"""
import json, sys
from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import Archive
rows = [dict(id=f"e{{i}}", title="Talks in Minsk", body="Vladimir Putin met Lukashenka in Minsk.")
        for i in range(3)]
report = ingest({str(tmp_path / "ix")!r}, [Parsed("t", article_from_dict(r)) for r in rows])
stored = Archive({str(tmp_path / "ix")!r}).article("e0")["entities"]
print(json.dumps([report.ok, stored["place"], sorted(m for m in sys.modules if m in
      ("natasha", "slovnet", "navec", "pymorphy2", "index.entities.russian"))]))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    ok, places, loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert ok and "Minsk" in places  # extraction did run
    assert loaded == []
