"""Snippets: exact strings, stemmed and phrase marking, clean cuts, and no way for HTML through."""

from __future__ import annotations

import random
import re

import pytest

from search import snippets
from search.analysis import TOKEN_PATTERN, analyze, index_term, tokens_with_offsets
from search.snippets import SCAN_CHARS, find_matches, highlight_title, lead, make_snippet

BODY = (
    "Belarus faces new sanctions. The European Union said on Monday it would extend "
    "sanctions against Minsk after the disputed election. Officials in Brussels said the "
    "measures target 40 people. Meanwhile the economy is weak and inflation rose again in "
    "June. President Lukashenka dismissed the sanction as meaningless and said Belarus would "
    "survive. Analysts expect further pressure from Washington over the coming months."
)


def terms(query: str) -> set[str]:
    return set(analyze(query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "sanctions",
            "Belarus faces new <mark>sanctions</mark>. The European Union said on Monday it "
            "would extend <mark>sanctions</mark> against Minsk after the disputed election. "
            "Officials in Brussels said the measures target 40 people. …",
        ),
        (
            "sanctions lukashenka",
            "… President <mark>Lukashenka</mark> dismissed the <mark>sanction</mark> as "
            "meaningless and said Belarus would survive. Analysts expect further pressure from "
            "Washington over the coming months.",
        ),
        (
            "inflation lukashenka washington",
            "… economy is weak and <mark>inflation</mark> rose again in June. … President "
            "<mark>Lukashenka</mark> dismissed the sanction as meaningless and … pressure from "
            "<mark>Washington</mark> over the coming months.",
        ),
    ],
)
def test_exact_snippets(query, expected):
    assert make_snippet(BODY, terms(query)) == expected


def test_stemmed_forms_are_marked():
    text = "The EU sanctioned three banks. Sanctions hurt. A sanction is a tool."
    snippet = make_snippet(text, terms("sanctions"))
    assert snippet == (
        "The EU <mark>sanctioned</mark> three banks. <mark>Sanctions</mark> hurt. "
        "A <mark>sanction</mark> is a tool."
    )


def test_phrase_is_one_mark_and_stop_words_inside_it_too():
    snippet = make_snippet(BODY, set(), [analyze("President Lukashenka")])
    assert "<mark>President Lukashenka</mark> dismissed" in snippet
    text = "The President of Belarus spoke. Belarus is small. A president came."
    phrase = analyze("president of belarus")
    snippet = make_snippet(text, set(phrase), [phrase])
    assert snippet.startswith("The <mark>President of Belarus</mark> spoke. <mark>Belarus</mark>")
    assert snippet.endswith("A <mark>president</mark> came.")


def test_fragments_are_cut_at_word_or_sentence_boundaries():
    words = " ".join(f"word{i}" for i in range(400))
    text = f"{words} needle {words}. Second sentence here."
    snippet = make_snippet(text, terms("needle"), max_chars=120)
    assert snippet.startswith("… word") and snippet.endswith(" …")
    inner = snippet[2:-2]
    assert "<mark>needle</mark>" in inner
    assert all(token.startswith("word") or "needle" in token for token in inner.split())
    assert len(inner) <= 120 + len("<mark></mark>")


def test_sentence_start_is_preferred():
    text = "Short opening. The needle is here in the second sentence. And a third one follows."
    snippet = make_snippet(text, terms("needle"), max_chars=60)
    assert snippet == "… The <mark>needle</mark> is here in the second sentence. …"


def test_three_fragments_at_most_and_about_max_chars():
    filler = " ".join("filler" for _ in range(60))
    text = f"alpha one. {filler}. beta two. {filler}. gamma three. {filler}. delta four."
    snippet = make_snippet(text, terms("alpha beta gamma delta"))
    assert snippet.count(" … ") <= 3
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) <= 220


def test_empty_query_and_no_match_give_the_lead():
    assert make_snippet(BODY, set()) == lead(BODY)
    assert make_snippet(BODY, terms("zebra")) == lead(BODY)
    assert lead(BODY) == (
        "Belarus faces new sanctions. The European Union said on Monday it would extend "
        "sanctions against Minsk after the disputed election. Officials in Brussels said the "
        "measures target 40 people. …"
    )
    assert lead("Short & sweet.") == "Short &amp; sweet."
    assert lead("") == ""


def test_only_the_first_20_kb_is_read():
    text = "opening words. " + "padding " * (SCAN_CHARS // 8) + "needle"
    assert "needle" not in make_snippet(text, terms("needle"))
    assert make_snippet(text, terms("needle")).startswith("opening words.")


PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '"><svg onload=alert(1)>',
    "<mark onclick=alert(1)>x</mark>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_come_out_escaped(payload):
    text = f"Sanctions news {payload} more sanctions text."
    for html in (
        make_snippet(text, terms("sanctions alert script svg")),
        make_snippet(text, set()),
        highlight_title(text, terms("sanctions alert onerror")),
        lead(text),
    ):
        assert "<script" not in html and "<img" not in html and "<svg" not in html
        assert "<a " not in html and "<mark " not in html
        assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0
        assert "&lt;" in html


def test_script_payload_exact():
    html = make_snippet("Hello <script>alert('x')</script> sanctions.", terms("sanctions"))
    assert html == "Hello &lt;script&gt;alert('x')&lt;/script&gt; <mark>sanctions</mark>."


def test_title_highlight():
    assert highlight_title("EU extends Sanctions on Belarus", terms("sanction belarus")) == (
        "EU extends <mark>Sanctions</mark> on <mark>Belarus</mark>"
    )
    assert highlight_title('A & B "quoted"', set()) == 'A &amp; B "quoted"'
    assert highlight_title("", terms("x")) == ""
    phrase = analyze("european union")
    assert highlight_title("The European Union acts", set(), [phrase]) == (
        "The <mark>European Union</mark> acts"
    )


def _naive_matches(text, terms, phrases):
    """The rule stated plainly over tokens_with_offsets: at each token, the first phrase
    starting there, else the term; a phrase's tokens are not matched again."""
    tokens = list(tokens_with_offsets(text))
    out, i = [], 0
    while i < len(tokens):
        for phrase in phrases:
            if [t for t, _, _ in tokens[i : i + len(phrase)]] == list(phrase):
                out.append((tokens[i][1], tokens[i + len(phrase) - 1][2], " ".join(phrase)))
                i += len(phrase)
                break
        else:
            if tokens[i][0] in terms:
                out.append((tokens[i][1], tokens[i][2], tokens[i][0]))
            i += 1
    return out


def test_matches_equal_the_analysers_tokens_on_real_articles(corpus_rows):
    """find_matches splits text in C, not token by token: on real news (with its quotes,
    dots, apostrophes and non-ASCII text) it marks exactly what tokens_with_offsets finds."""
    rows = corpus_rows("bbc", 300)
    assert rows[0]["title"]
    rng = random.Random(5)
    checked = 0
    for row in rows:
        text = row["body"][:SCAN_CHARS]
        tokens = [t for t, _, _ in tokens_with_offsets(text)]
        if len(tokens) < 10:
            continue
        start = rng.randrange(len(tokens) - 3)
        query_terms = set(rng.sample(tokens, 3))
        phrases = [tokens[start : start + 2], [tokens[start + 2], "zzzz"]]
        for ask_terms, ask_phrases in ((query_terms, []), (query_terms, phrases), (set(), phrases)):
            found = [(s.start, s.end, s.key) for s in find_matches(text, ask_terms, ask_phrases)]
            assert found == _naive_matches(text, ask_terms, ask_phrases), row["id"]
            assert found or not ask_terms  # the sampled terms are in the text
        checked += 1
    assert checked > 250


def test_a_long_questions_parts_share_the_candidate_windows():
    from search.snippets import ANCHORS, ANCHORS_PER_KEY, _anchors, _Span

    one = [_Span(i * 10, i * 10 + 4, "word") for i in range(50)]
    assert len(_anchors(one)) == ANCHORS_PER_KEY
    many = [_Span(i * 10, i * 10 + 4, f"w{i % 16}") for i in range(16 * 30)]
    assert len(_anchors(many)) == ANCHORS


def test_an_ascii_words_term_starts_with_its_first_letter(corpus_rows):
    """find_matches looks up only the words that can have a wanted term, on this premise:
    the term of an ASCII word (folding, stemming, and Snowball's exceptions like "dying" ->
    "die") starts with the word's first letter lowercased. Checked on every ASCII word of
    real news and newsgroup posts (numbers, codes, odd capitals and all)."""
    words: set[str] = set()
    for name, count in (("bbc", 500), ("20newsgroups", 1500)):
        for row in corpus_rows(name, count):
            words.update(TOKEN_PATTERN.findall(f"{row['title']} {row['body']}"))
    ascii_words = [w for w in words if w.isascii()]
    assert len(ascii_words) > 40_000
    stemmed = 0
    for word in ascii_words:
        term = index_term(word)
        assert term is None or term[0] == word[0].lower(), (word, term)
        stemmed += term is not None and term != word.lower()
    assert stemmed > 10_000  # stemming changed many of them
    assert index_term("Dying") == "die"


def _naive_boundaries(text: str) -> tuple[list[int], list[int], list[int]]:
    """Word starts, word ends and sentence ends, every one of them (how _Text once did it)."""
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    ends = [m.end() for m in re.finditer(r"\S+", text)]
    sentences = [m.end() for m in re.finditer(r"[.!?][\"'’”)\]]*(?=\s)|\n", text)]
    return starts, ends, sentences


def _naive_sentence_start(text: str, pos: int) -> int:
    starts, _, sentences = _naive_boundaries(text)
    for end in reversed([e for e in sentences if e <= pos]):
        start = next((s for s in starts if s >= end), len(text))
        if start <= pos:
            return start
    return 0


def _naive_end_within(text: str, start: int, limit: int, must_reach: int) -> int:
    _, ends, sentences = _naive_boundaries(text)
    if limit >= len(text):
        return len(text.rstrip())
    before = [e for e in sentences if e <= limit]
    if before and before[-1] >= max(must_reach, (start + limit) // 2):
        return before[-1]
    before = [e for e in ends if e <= limit]
    if before and before[-1] >= must_reach and before[-1] > start:
        return before[-1]
    return must_reach


@pytest.mark.parametrize("look_back", [snippets.LOOK_BACK, 9, 1])
def test_boundaries_found_where_asked_equal_every_boundary_listed(
    corpus_rows, monkeypatch, look_back
):
    """_Text finds a word or sentence boundary by searching from the position asked about
    (a sentence end within LOOK_BACK characters, else among all of them, listed once); at
    every position of real articles and of awkward texts it answers as listing all of them
    would, whether LOOK_BACK cuts through a sentence end's closing quotes or not."""
    from search.snippets import _Text

    monkeypatch.setattr(snippets, "LOOK_BACK", look_back)

    texts = [row["body"][:1500] for row in corpus_rows("bbc", 12)]
    texts += [
        "One.\nTwo!\n\nThree?) four.” Five",
        "no sentence end at all here",
        "ends with a line break\n",
        '  leading space. And (brackets.) "Quotes!" end.',
        "x.)]’” y\n\nz",
        'a!"""""""""""""" b ' + "word " * 40 + "end.’’’’’’’’’’’’ tail",
        "",
        "\n",
    ]
    for text in texts:
        doc = _Text(text)
        starts, _, _ = _naive_boundaries(text)
        for pos in range(len(text) + 2):
            assert doc.next_word_start(pos) == next((s for s in starts if s >= pos), len(text))
            if pos < len(text):
                assert doc.sentence_start_before(pos) == _naive_sentence_start(text, pos)
        for start in range(0, len(text), 7):
            for budget in (5, 40, 200):
                must_reach = min(len(text), start + budget // 2)
                assert doc.end_within(start, start + budget, must_reach) == _naive_end_within(
                    text, start, start + budget, must_reach
                ), (text[:40], start, budget)
