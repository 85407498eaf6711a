"""Languages: tags normalised, detection, and the analysis each script and language gets."""

from __future__ import annotations

import json

import pytest

from index.readers import Parsed, read_path, read_paths
from index.records import article_from_dict
from search.analysis import analyze, fold, fold_value
from search.languages import detect_language, normalize_language
from search.questions import QUESTION_WORDS
from search.ranking import plan_query


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("ru", "ru"),
        ("RU", "ru"),
        ("ru-RU", "ru"),
        ("ru_RU", "ru"),
        (" en-GB ", "en"),
        ("be-BY", "be"),
        ("zh-Hant-TW", "zh"),
        ("rus", "ru"),
        ("eng", "en"),
        ("", None),
        ("x", None),
        ("123", None),
        ("english", None),
        ("ru RU", None),
        ("xyz", None),  # three letters, but no language this archive knows
        (None, None),
        (7, None),
    ],
)
def test_normalize_language(tag, code):
    assert normalize_language(tag) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The Belarusian economy grew slowly. Minsk hopes for Russian loans.", "en"),
        ("Белорусская экономика росла медленно. Минск надеется на российские кредиты.", "ru"),
        ("Беларуская эканоміка расла павольна. Мінск спадзяецца на расійскія крэдыты.", "be"),
        ("Білоруська економіка зростала повільно. Мінськ сподівається на кредити.", "uk"),
        ("Die belarussische Wirtschaft wuchs langsam, Minsk hofft auf Kredite.", "de"),
        ("L'économie biélorusse a progressé lentement; Minsk espère des prêts.", "fr"),
        ("", "en"),  # nothing to read: the archive's default
        ("12 345 — 2019", "en"),
    ],
)
def test_detect_language(text, code):
    assert detect_language(text) == code


def test_a_record_s_language_is_normalised_and_junk_dropped():
    assert article_from_dict({"title": "t", "language": "ru-RU"}).language == "ru"
    assert article_from_dict({"title": "t", "language": "RU"}).language == "ru"
    assert article_from_dict({"title": "t", "language": "??"}).language is None


def test_html_lang_and_feed_language_are_normalised(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<html lang="ru-RU"><head><title>Новости Минска</title></head><body><article>'
        "<h1>Новости Минска</h1><p>"
        + "Президент встретился с министрами правительства. " * 20
        + "</p></article></body></html>",
        encoding="utf-8",
    )
    feed = tmp_path / "feed.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Лента</title>'
        "<language>ru-ru</language><item><title>Санкции</title>"
        "<description>Новые санкции.</description></item></channel></rss>",
        encoding="utf-8",
    )
    read = [p for p in read_paths([str(tmp_path)]) if isinstance(p, Parsed)]
    assert sorted(p.article.language for p in read) == ["ru", "ru"]


def test_jsonl_language_field_is_normalised(tmp_path):
    path = tmp_path / "a.jsonl"
    rows = [{"title": "Один", "language": "ru_RU"}, {"title": "Two", "language": "EN"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert [p.article.language for p in read_path(str(path))] == ["ru", "en"]


# ---- analysis ----


def test_russian_words_are_stemmed_every_form_to_one_term():
    forms = "санкция санкции санкций санкциям санкциями санкциях Санкцию"
    assert len(set(analyze(forms))) == 1


def test_short_i_stays_distinct_from_i():
    # война (war) and воина (of a warrior): folding й to и would make them one word.
    assert analyze("война") != analyze("воина")
    assert fold("Андрей Йошкар-Ола") == "андрей йошкар-ола"
    assert fold_value("Лукашэнка Ўладзімір") == "лукашэнка ўладзімір"  # ў is a letter too


def test_yo_is_read_as_ye():
    assert analyze("Полёт ЁЛКА её") == analyze("Полет ЕЛКА ее")
    assert fold("Фёдор") == "федор"


def test_stress_marks_are_dropped_but_latin_accents_still_fold():
    assert analyze("за\u0301мок") == analyze("замок")
    assert len({analyze(s)[0] for s in ("Łukaszenka", "Lukašenka", "lukasenka")}) == 1


def test_each_word_is_analysed_by_its_script():
    # Latin words inside Russian text the English way, Cyrillic inside English the Russian way.
    assert analyze("Компания Oracle's купила Sun") == [
        analyze("компании")[0],
        "oracl",
        analyze("купили")[0],
        "sun",
    ]
    assert analyze("Photo: Белорусской военной газеты") == [
        "photo",
        *analyze("белорусская военная газета"),
    ]


def test_russian_stop_words_are_dropped_but_not_negation():
    assert analyze("в Минске и на Москве") == analyze("Минск Москва")
    assert analyze("не виновен") == ["не", analyze("виновен")[0]]


def test_other_languages_are_folded_but_not_stemmed():
    assert analyze("Les Nations unies à Genève", "fr") == ["les", "nations", "unies", "a", "geneve"]
    assert analyze("Les Nations unies à Genève", "en") != analyze("Les Nations unies", "fr")
    assert analyze("Häuser Straße", "de") == ["hauser", "strasse"]


def test_long_russian_questions_drop_request_phrasing():
    question = "Какие статьи рассказывают о санкциях против правительства России в этом году"
    plan = plan_query(question)
    assert plan.feedback  # a long question
    dropped = {analyze(w)[0] for w in ("какие", "статьи", "рассказывают")}
    assert dropped <= plan.dropped <= QUESTION_WORDS
    assert {analyze(w)[0] for w in ("санкциях", "правительства", "России")} <= set(plan.weights)
