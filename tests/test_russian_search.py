"""A mixed archive: the English demo plus the Russian texts of factRuEval, none of them with a
`language` field. Languages are detected at ingest; Russian words meet every inflected form,
й and и stay apart, ё is е, and English searches answer exactly as on the English-only index.

Expected answers are computed from the raw texts with regular expressions over the forms
of a word, independently of the index and of its stemmer."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import Archive
from search.analysis import analyze, fold

pytestmark = pytest.mark.slow  # builds two indexes (about a minute)

DEMO = Path(__file__).resolve().parents[1] / "index" / "demo" / "wikinews-en.jsonl.gz"
FACTRUEVAL_TEXTS = 122
DEMO_ARTICLES = 293
# An English article quoting a Russian credit line: Cyrillic words in it are analysed the
# Russian way, so "газеты" (another form) finds it.
QUOTING = {
    "id": "credit-line",
    "title": "Army newspaper photographs from Minsk",
    "body": 'The photographs were credited "Фото: Белорусская военная газета" in print.',
}
# A French article: detected as French, analysed language-neutrally (stats say so).
FRENCH = {
    "id": "french-1",
    "title": "Les Nations unies examinent les sanctions contre le Bélarus",
    "body": "Les diplomates des Nations unies se sont réunis à Genève pour discuter des "
    "sanctions économiques imposées au gouvernement de Minsk après les élections.",
}


def _demo_rows() -> list[dict]:
    with gzip.open(DEMO, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    assert len(rows) == DEMO_ARTICLES
    return rows


def _russian_rows(corpora: Path) -> list[dict]:
    rows = []
    for path in sorted((corpora / "factrueval-dev").glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
        rows.append({"id": f"factrueval-{path.stem}", "title": title, "body": body.strip()})
    assert len(rows) == FACTRUEVAL_TEXTS
    assert rows[0]["id"] == "factrueval-book_100"
    return rows


def _build(path: Path, rows: list[dict]) -> Archive:
    items = [Parsed(f"row:{i}", article_from_dict(row)) for i, row in enumerate(rows)]
    report = ingest(path, items, extract=False, workers=2)
    assert report.ok and report.added == len(rows), report.summary()
    return Archive(path)


@pytest.fixture(scope="module")
def texts(corpora) -> dict[str, dict]:
    """Every article of the mixed archive by id, as given (no language field)."""
    english = [{k: v for k, v in row.items() if k != "language"} for row in _demo_rows()]
    rows = english + _russian_rows(corpora) + [QUOTING, FRENCH]
    return {row["id"]: row for row in rows}


@pytest.fixture(scope="module")
def mixed(texts, tmp_path_factory) -> Archive:
    return _build(tmp_path_factory.mktemp("mixed") / "index", list(texts.values()))


@pytest.fixture(scope="module")
def english(texts, tmp_path_factory) -> Archive:
    rows = [row for row in texts.values() if row["id"].startswith("wikinews-")]
    return _build(tmp_path_factory.mktemp("english") / "index", rows)


def found(archive: Archive, q: str, partial: bool = False) -> list[str]:
    """Every id the query finds, best first (`partial`: as the widget asks while typing)."""
    ids: list[str] = []
    page = 1
    while True:
        answer = archive.search(q, per_page=100, page=page, partial=partial)
        ids += [r["id"] for r in answer["results"]]
        if len(ids) >= answer["total"]:
            return ids
        page += 1


def using(texts: dict[str, dict], pattern: str) -> set[str]:
    """Ids whose title or body has a word matching `pattern` (case-insensitive, ё as е)."""
    word = re.compile(rf"(?<!\w){pattern}(?!\w)", re.IGNORECASE)
    return {
        key
        for key, row in texts.items()
        if word.search(f"{row['title']}\n{row['body']}".replace("ё", "е").replace("Ё", "Е"))
    }


# The declension of "правительство" (government): every case, both numbers.
GOVERNMENT = r"правительств(?:о|а|у|ом|е|ами|ах|ам)?"


def test_languages_are_detected_at_ingest_and_stored(mixed, texts):
    languages = {key: mixed.article(key)["language"] for key in texts}
    wrong = {key: code for key, code in languages.items() if code != _expected(key)}
    assert not wrong
    stats = mixed.stats()
    assert stats["languages"] == {"en": DEMO_ARTICLES + 1, "fr": 1, "ru": FACTRUEVAL_TEXTS}
    assert stats["language_neutral"] == ["fr"]


def _expected(key: str) -> str:
    return "ru" if key.startswith("factrueval-") else "fr" if key.startswith("french") else "en"


def test_an_inflected_form_finds_every_article_using_any_form(mixed, texts):
    expected = using(texts, GOVERNMENT)
    as_written = using(texts, "правительством")
    assert len(expected) >= 20 and len(as_written) < len(expected) / 5  # the word is real
    assert set(found(mixed, "правительством")) == expected
    assert set(found(mixed, "ПРАВИТЕЛЬСТВАМИ")) == expected


def test_short_i_and_i_stay_apart_and_yo_is_ye(mixed, texts):
    war = using(texts, r"войн(?:а|ы|е|у|ой|ами|ах|ам)?")
    assert war and set(found(mixed, "войной")) == war
    assert not set(found(mixed, "воиной")) & war  # "воин" (warrior) is another word
    flights = using(texts, r"полет(?:а|у|ом|е|ы|ов|ам|ами|ах)?")
    assert len(flights) >= 2
    assert set(found(mixed, "полёт")) == set(found(mixed, "полет")) >= flights


def test_phrases_match_inflected_forms_in_order(mixed, texts):
    expected = using(texts, r"министр(?:а|у|ом|е|ы|ов|ам|ами|ах)?\s+иностранных\s+дел")
    assert expected
    assert set(found(mixed, '"министры иностранных дел"')) == expected
    assert not found(mixed, '"дел иностранных министры"')


def test_snippets_and_titles_mark_every_inflected_form(mixed, texts):
    answer = mixed.search("санкции", per_page=100)
    marked = {
        m.lower()
        for r in answer["results"]
        for m in re.findall(r"<mark>(\w+)</mark>", r["snippet"])
    }
    assert {"санкции", "санкций"} <= marked
    key = next(k for k, row in texts.items() if row["title"].startswith("Израильскому премьеру"))
    titles = {r["id"]: r["title"] for r in mixed.search("израильский")["results"]}
    assert titles[key].startswith("<mark>Израильскому</mark> премьеру")


def test_query_words_are_analysed_by_script(mixed, texts):
    # A Latin word in a Russian article, found the English way ("Oracle's" -> "oracl").
    oracle = using(texts, "oracle")
    assert any(k.startswith("factrueval-") for k in oracle)
    assert set(found(mixed, "Oracle's")) == oracle
    # A Cyrillic word in an English article, found the Russian way.
    newspaper = using(texts, r"газет(?:а|ы|е|у|ой|ами|ах|ам)?")
    assert "credit-line" in newspaper and set(found(mixed, "газеты")) == newspaper
    both = oracle & using(texts, r"сделк(?:а|и|е|у|ой|ами|ах|ам)?")
    assert both and set(found(mixed, "Oracle сделками")) == both


def test_typing_a_russian_word_completes_it(mixed, texts):
    expected = using(texts, GOVERNMENT)
    assert set(found(mixed, "правительс", partial=True)) >= expected
    assert not found(mixed, "правительс")  # not a word: only the typing reader completes it
    suggestions = [s["text"].lower() for s in mixed.suggest("правительс")["suggestions"]]
    assert any(s.startswith("правительств") for s in suggestions)


def test_a_misspelt_russian_word_is_corrected(mixed):
    answer = mixed.search("правитльство")
    assert answer["total"] == 0
    assert answer["corrected"].lower().startswith("правительств")


def test_language_neutral_articles_match_words_as_typed(mixed):
    # English analysis stems "sanctions" to "sanction"; the French article holds "sanctions".
    for word in ("sanctions", "économiques", "diplomates"):
        assert analyze(word) != [fold(word)]
        assert "french-1" in found(mixed, word)
    # Only there: an English article holding the unstemmed word as a stem is not found by it.
    assert found(mixed, "économiques") == ["french-1"]


@pytest.mark.parametrize(
    "q",
    [
        "election",
        "president",
        "Russia",
        "protesters",
        '"prime minister"',
        "earthquake Japan",
        "vot*",
    ],
)
def test_english_searches_answer_as_on_the_english_only_index(mixed, english, q):
    on_english = found(english, q)
    on_mixed = [key for key in found(mixed, q) if key.startswith("wikinews-")]
    assert on_english
    assert set(on_mixed) == set(on_english)
