"""Document features: what a word's other occurrences in its document tell the tagger."""

from __future__ import annotations

from index.entities.document_features import EVIDENCE_LIMIT, document_features, run_features
from index.entities.tagger import Tagger
from index.entities.train import read_documents, score

SENTENCES = """
Donald Trump met Mr. Moody in Minsk .
Trump said the North Atlantic Treaty Organization ( NATO ) would meet .
Moody 's Investors Service rated Minsk .
Police said the police would return .
"""
DOC = [line.split() for line in SENTENCES.strip().split("\n")]


def _features(word: str, sentence: int) -> tuple[str, ...]:
    """The "D" features (the other occurrences'), less the token's own run's "R" ones."""
    feats = document_features(DOC)[sentence][DOC[sentence].index(word)]
    return tuple(f for f in feats if f[0] == "D")


def test_an_occurrence_gets_the_evidence_of_the_others_not_its_own():
    first, second = _features("Trump", 0), _features("Trump", 1)
    # the second "Trump" learns it also follows a listed first name ("Donald Trump") ...
    assert "Dfw=donald" in second and "Dfwf1" in second and "Dmid" in second
    # ... and the first, that elsewhere it starts a sentence alone before "said"
    assert {"Dinit", "Dalone", "Dnx=said"} <= set(first)
    assert "Dfw=donald" not in first and "Dnx=said" not in second
    assert first[0] == second[0] == "Dn=2"


def test_runs_joiners_acronyms_and_lowercase_uses():
    moody = _features("Moody", 2)
    assert "Dfw=mr." in moody and "Dpv=met" in moody and "Dnx=in" in moody
    assert "Dacr" in _features("NATO", 1)
    assert "Dlow" in _features("Police", 3)
    assert "Dlow" not in _features("Minsk", 0)
    assert _features("Investors", 2) == ("Dn=1",)  # seen once: nothing else to say
    assert all(feats == () for feats in document_features([["the", "police", "said"]])[0])
    assert document_features(DOC)[0][1][:2] == ("Rp=E", "Rf=donald")  # its run's, then D
    assert document_features([]) == [] and document_features([[]]) == [[]]


def test_a_token_knows_its_own_runs_ends_beyond_the_window():
    """A long name's first word sees its head ("Rights"), its last word its start; linking
    words ("for the", "of") stay inside the run, other lowercase words end it."""
    words = [
        "The",
        "Tunisian",
        "League",
        "for",
        "the",
        "Defence",
        "of",
        "Human",
        "Rights",
        "said",
        "Ben",
        "Ali",
        "left",
        ".",
    ]
    feats = run_features(words)
    assert feats[1] == ("Rp=I", "Rl=rights", "Rf=the")
    assert feats[0] == ("Rp=B", "Rl=rights") and feats[8] == ("Rp=E", "Rf=the")
    assert feats[4] == ("Rp=I", "Rl=rights", "Rf=the")  # "the" inside the name
    assert feats[9] == () and feats[12] == () and feats[13] == ()  # "said", "left", "."
    assert feats[10] == ("Rp=B", "Rl=ali") and feats[11] == ("Rp=E", "Rf=ben")
    assert run_features(["Minsk", "said", "and", "Moscow"]) == [(), (), (), ()]  # lone words
    assert run_features(["Bank", "of", "the", "of", "England"])[0] == ()  # three links: no run


def test_documents_are_read_at_their_docstart_lines(tmp_path):
    path = tmp_path / "two.conll"
    path.write_text(
        "-DOCSTART- -X- O O\n\nMinsk I-LOC\n.  O\n\nLukashenko I-PER\n\n"
        "-DOCSTART- -X- O O\n\nBBC I-ORG\n",
        encoding="utf-8",
    )
    docs = list(read_documents(path))
    words = [[words for words, _ in doc] for doc in docs]
    assert words == [[["Minsk", "."], ["Lukashenko"]], [["BBC"]]]
    assert docs[1][0][1] == ["B-ORG"]
    plain = tmp_path / "plain.conll"
    plain.write_text("Minsk I-LOC\n\nBBC I-ORG\n", encoding="utf-8")
    assert len(list(read_documents(plain))) == 1


def test_tagging_whole_documents_beats_sentences_alone_on_conll(corpora):
    documents = list(read_documents(corpora / "conll2003" / "eng.testa"))
    assert len(documents) == 216
    tagger = Tagger()
    gold = [tags for doc in documents for _, tags in doc]
    sentences = [words for doc in documents for words, _ in doc]
    whole = tagger.tag_documents([[words for words, _ in doc] for doc in documents])
    in_documents = score(gold, [tags for doc in whole for tags in doc])["overall"]["f1"]
    alone = score(gold, [tagger.tag_words(words) for words in sentences])["overall"]["f1"]
    assert in_documents > alone + 0.005, (in_documents, alone)


def test_a_word_repeated_thousands_of_times_costs_bounded_work():
    # a list or table naming one person on every line: only the first occurrences give
    # evidence, so each token's features (and the work) stay bounded, not quadratic
    doc = [[f"w{i}", "Smith", f"x{i}", "."] for i in range(3000)]
    feats = [row[1] for row in document_features(doc)]
    assert max(map(len, feats)) <= 4 * EVIDENCE_LIMIT + 8
    assert len(set(feats[EVIDENCE_LIMIT:])) == 1  # the later ones all learn the same
    assert "Dpv=w0" in feats[2999] and "Dpv=w2999" not in feats[0]
    assert "Dpv=w0" not in feats[0] and "Dpv=w1" in feats[0]  # never its own


def test_curly_apostrophes_are_looked_up_as_straight_ones():
    """A run's first word gives its name-list cue however its apostrophe is typed."""
    cues = []
    for apostrophe in ("'", "\u2019"):
        doc = [f"Jing{apostrophe}an District flooded .".split(), ["District", "left", "."]]
        cues.append([f for f in document_features(doc)[1][0] if f.startswith("Dfwp")])
    assert cues[0] == cues[1] == ["Dfwp2"]  # a listed place (GeoNames)
