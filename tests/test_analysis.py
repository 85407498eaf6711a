"""Analysis (folding, possessives, stemming, stop words) and the query-grouping rule."""

from __future__ import annotations

import gzip
import json
import unicodedata
from pathlib import Path

import pytest
from whoosh.support.charset import accent_map

from search import ranking
from search.analysis import (
    _EXTRA_FOLDS,
    _SZ,
    TEXT_ANALYZER,
    analyze,
    fold,
    fold_value,
    index_term,
    tokens_with_offsets,
)

DEMO = Path(__file__).resolve().parents[1] / "index" / "demo" / "wikinews-en.jsonl.gz"


def one(text: str) -> str:
    terms = analyze(text)
    assert len(terms) == 1, terms
    return terms[0]


@pytest.mark.parametrize(
    "spellings",
    [
        ("Łukaszenka", "Lukašenka", "LUKASENKA", "lukasenka"),
        ("Tsikhanouskaya", "TSIKHANOUSKAYA"),
        ("café", "cafe", "CAFÉ", "cafe\u0301"),  # composed, plain, upper, combining accent
        ("Straße", "STRASSE", "strasse"),
        ("Æther", "aether"),
        ("İstanbul", "Istanbul"),
        ("Ørsted", "Orsted"),
        ("ＡＢＣ", "abc"),  # full-width letters
    ],
)
def test_folding_joins_spellings(spellings):
    assert len({one(s) for s in spellings}) == 1


def test_fold_keeps_final_sz_and_abbreviations():
    # Only "sz" before a vowel is the Polish "š"; Tomasz must not be stemmed to "toma".
    assert one("Tomasz") != one("Toma")
    assert one("SZ") == "sz"


def test_ascii_text_folds_as_any_text_does():
    """fold's shortcut for ASCII text (lowercase, backtick as apostrophe) gives what the
    general steps give: checked on every ASCII character and on words made of them."""

    def general(text: str) -> str:
        folded = unicodedata.normalize("NFKC", text).casefold().translate(_EXTRA_FOLDS)
        folded = folded.translate(accent_map)
        assert folded.isascii()  # no marks to strip
        return _SZ.sub("s", folded)

    every = "".join(map(chr, range(128)))
    assert fold(every) == general(every)
    for c in every:
        assert fold(c) == general(c), repr(c)
        assert fold(f"A{c}Sza") == general(f"A{c}Sza"), repr(c)


def test_fold_value_is_folded_single_spaced():
    assert fold_value("  Alexander   Łukaszenka, ") == fold_value("alexander lukašenka")
    assert fold("O’Brien") == fold("O'Brien") == "o'brien"


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Russia's", "Russia"),
        ("Russia’s", "Russia"),
        ("Belarus’", "Belarus"),
        ("Belarus'", "Belarus"),
        ("the President's policies", "president policies"),
    ],
)
def test_possessives_are_cut(text, plain):
    assert analyze(text) == analyze(plain)


def test_inner_apostrophes_and_dots_stay_one_token():
    assert analyze("O’Brien") == analyze("O'Brien") == ["o'brien"]
    assert analyze("the U.S. economy")[0] == "u.s"
    assert analyze("3.5 percent")[0] == "3.5"


@pytest.mark.parametrize(
    "forms",
    [
        ("sanctions", "sanction", "Sanctions"),
        ("elections", "election"),
        ("running", "runs", "run"),
        ("policies", "policy"),
    ],
)
def test_stemming_joins_forms(forms):
    assert len({one(f) for f in forms}) == 1


def test_stop_words_are_dropped():
    assert analyze("the of and to in a") == []
    assert analyze("The fall of the Berlin Wall") == ["fall", "berlin", "wall"]
    assert index_term("the") is None
    # Content words are never stop words, however common.
    assert analyze("government") == ["govern"]


def test_offsets_point_at_the_source_words():
    text = "Łukaszenka’s sanctions, and the EU"
    spans = [(term, text[start:end]) for term, start, end in tokens_with_offsets(text)]
    assert spans == [("lukasenka", "Łukaszenka’s"), ("sanction", "sanctions"), ("eu", "EU")]


def _wikinews_sample(n: int = 200) -> list[str]:
    texts = []
    with gzip.open(DEMO, "rt", encoding="utf-8") as handle:
        for line in handle:
            article = json.loads(line)
            texts.append(article.get("title") or "")
            texts.append(article.get("body") or "")
            if len(texts) >= 2 * n:
                break
    return texts


def test_text_analyzer_agrees_with_analyze_on_a_corpus_sample():
    texts = _wikinews_sample()
    assert len(texts) == 400
    for text in texts:
        tokens = [
            (t.text, t.pos, t.startchar, t.endchar)
            for t in TEXT_ANALYZER(text, positions=True, chars=True)
        ]
        assert [t[0] for t in tokens] == analyze(text)
        assert [t[1] for t in tokens] == list(range(len(tokens)))
        assert [(t[0], t[2], t[3]) for t in tokens] == list(tokens_with_offsets(text))


def test_text_analyzer_untokenized_value_is_folded():
    (token,) = TEXT_ANALYZER("Łukaszenka", tokenize=False)
    assert token.text == fold("Łukaszenka") == "lukasenka"


# --- ranking: the grouping rule and the query words -----------------------------------


def test_required_matches_all_words_for_short_queries():
    assert [ranking.required_matches(n) for n in (1, 2, 3)] == [1, 2, 3]


def test_required_matches_long_questions_need_not_match_every_word():
    for n in range(ranking.ALL_WORDS_UP_TO + 1, 40):
        assert 1 <= ranking.required_matches(n) < n


def test_plan_long_question_is_ranked_not_filtered():
    question = "efforts of the ambassador to get the president to change his policies"
    plan = ranking.plan_query(question)
    assert list(plan.weights) == ["effort", "ambassador", "get", "presid", "chang", "polici"]
    assert plan.required == 1 and not plan.conjunctive and plan.feedback


def test_plan_short_query_requires_every_word():
    plan = ranking.plan_query("what women want")
    assert list(plan.weights) == ["what", "women", "want"]
    assert plan.required == 3 and plan.conjunctive and not plan.feedback
    assert ranking.plan_query("the of").weights == {}


def test_query_terms_weight_repeated_words():
    terms = ranking.plan_query(
        "sanctions on Belarus: the sanctions and the Belarusian economy"
    ).weights
    assert terms["sanction"] > terms["economi"]


def test_feedback_adds_typical_words_of_the_first_results():
    weights = {"ambassador": 1.0, "presid": 1.0}
    docs = [
        ["ambassador", "envoy", "presid", "embassi", "said"],
        ["envoy", "embassi", "said", "weather"],
        ["envoy", "said", "talk"],
    ]
    df = {"ambassador": 5, "presid": 20, "envoy": 4, "embassi": 8, "said": 90, "weather": 3}
    df["talk"] = 3
    expanded = ranking.feedback_terms(weights, docs, df.__getitem__, 100)
    assert expanded["ambassador"] == expanded["presid"] == 1.0  # each in one result only
    assert expanded["envoy"] > expanded["embassi"] > 0
    assert "said" not in expanded  # in most documents of the archive: rsj idf below zero
    assert "weather" not in expanded and "talk" not in expanded  # in one result only
    added = sum(expanded.values()) - sum(weights.values())
    assert added == pytest.approx(ranking.FEEDBACK_WEIGHT * 2.0)
    assert ranking.feedback_terms(weights, [], df.__getitem__, 100) == weights


def test_term_weight_turns_whoosh_idf_into_rsj_idf():
    n = 1000
    for df in (1, 10, 100, 400):
        assert ranking.term_weight(df, n) * ranking.idf(df, n) == pytest.approx(
            ranking.rsj_idf(df, n)
        )
    assert ranking.rsj_idf(900, n) == ranking.IDF_FLOOR


def test_idf_matches_whoosh():
    from math import log

    assert ranking.idf(9, 100) == pytest.approx(log(100 / 10) + 1)


def test_english_stems_are_snowballs_own():
    # Whoosh's Python port of the English stemmer conflated these; Snowball does not.
    assert analyze("international") == analyze("internationally") != analyze("intern")
    assert analyze("adding") == analyze("add") != analyze("ad")
    assert analyze("organizes") == analyze("organization") != analyze("organ")
    assert analyze("erred") == analyze("err")
