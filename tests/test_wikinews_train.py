"""The hand-annotated Wikinews training split: fixed, apart from the held-out set, and
turned into the CoNLL tokens the committed file holds."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the unlabelled news text the second clustering adds (README, "Training data")
MORE_CLUSTERS_TEXT = ("reuters21578.jsonl.gz", "bbc.jsonl.gz", "ag-news-test.jsonl.gz")


def _load_eval(name: str):
    """An eval/ script as a module (eval/ is scripts, not a package on the path)."""
    spec = importlib.util.spec_from_file_location(f"eval_{name}", ROOT / "eval" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"eval_{name}"] = module
    spec.loader.exec_module(module)
    return module


builder = _load_eval("wikinews_train")


def _sha1_order(ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda i: hashlib.sha1(i.encode()).hexdigest())


def test_split_is_the_documented_one():
    """The rule of eval/ANNOTATION.md: the first 60 short demo articles in SHA-1 order of
    their ids are held out; every other demo article, short or long, is training."""
    with gzip.open(builder.DEMO, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    assert len(rows) == 293
    short = _sha1_order([row["id"] for row in rows if len(row["body"]) <= 6000])
    held_out = builder._ids(builder.HELD_OUT)
    training = [row["id"] for row in builder.load_annotations()]
    assert held_out == short[:60]
    assert training == _sha1_order([row["id"] for row in rows if row["id"] not in held_out])
    assert len(training) == 233


def test_conll_file_is_built_from_the_annotations(tmp_path):
    out = tmp_path / "train.conll"
    counts = builder.build(out)
    assert counts["articles"] == 233
    assert out.read_bytes() == builder.OUT.read_bytes(), "run python eval/wikinews_train.py"


def test_marked_strings_are_tagged_longest_first():
    text = "Donald Trump met the United States Coast Guard. Trump said the United States won."
    marked = {
        "person": ["Donald Trump", "Trump"],
        "organization": ["United States Coast Guard"],
        "place": ["United States"],
    }
    sents, missing = builder.tag_article(text, marked)
    assert not missing
    pairs = [pair for sent in sents for pair in sent]
    words = [word for word, _ in pairs]
    assert pairs[:8] == [
        ("Donald", "B-PER"),
        ("Trump", "I-PER"),
        ("met", "O"),
        ("the", "O"),
        ("United", "B-ORG"),
        ("States", "I-ORG"),
        ("Coast", "I-ORG"),
        ("Guard", "I-ORG"),
    ]
    assert ("Trump", "B-PER") in pairs[9:]
    won = words.index("won")
    assert pairs[won - 2 : won] == [("United", "B-LOC"), ("States", "I-LOC")]


def test_a_string_the_article_lacks_is_reported():
    _, missing = builder.tag_article("Minsk is calm.", {"place": ["Minsk", "Pinsk"]})
    assert missing == {"Pinsk"}


def test_cross_validation_folds_partition_the_training_split():
    """Every training article is left out exactly once; no held-out article is ever in a fold."""
    folds = _load_eval("wikinews_cv").fold_ids(3)
    ids = [i for fold in folds for i in fold]
    training = [row["id"] for row in builder.load_annotations()]
    assert sorted(ids) == sorted(training) and len(set(ids)) == 233
    assert [len(fold) for fold in folds] == [78, 78, 77]
    assert not set(ids) & set(builder._ids(builder.HELD_OUT))


@pytest.fixture
def shipped_tables(monkeypatch):
    """The clusters, name-list and known-name-list paths and caches as they were, after a
    test that swaps them."""
    from index.entities import clusters, gazetteer, known_names

    monkeypatch.setattr(clusters, "CLUSTERS_PATH", clusters.CLUSTERS_PATH)
    monkeypatch.setattr(gazetteer, "GAZETTEER_PATH", gazetteer.GAZETTEER_PATH)
    monkeypatch.setattr(known_names, "KNOWN_NAMES_DIR", known_names.KNOWN_NAMES_DIR)
    yield
    clusters.load_clusters.cache_clear()
    gazetteer.load_gazetteer.cache_clear()
    known_names.load_names.cache_clear()


def test_a_cross_validation_variant_keeps_its_own_models_and_clusters(tmp_path, shipped_tables):
    """A named variant's fold models never overwrite the shipped configuration's, and its
    clusters file is the one features read."""
    from index.entities import clusters
    from index.entities.features import word_features

    cv = _load_eval("wikinews_cv")
    assert cv.model_path(0, 3, 1, "wide") != cv.model_path(0, 3, 1)
    assert cv.model_path(0, 3, 1, "wide").parent == cv.model_path(0, 3, 1).parent / "wide"
    other = tmp_path / "clusters.tsv"
    other.write_text("minsk\t7\t70\t0\nbrest\t\t\t\t3\t30\t300\n", encoding="utf-8")
    cv.use_tables(clusters=str(other))
    assert clusters.load_clusters()["minsk"] == ("7", "70", "0")
    assert {"c=7", "cf=70", "lc=0"} <= set(word_features("Minsk")[0])
    # a second clustering's ids, for a word the first one lacks
    own, far_left, *_ = word_features("Brest")
    assert [f for f in own if f[:2] in ("c=", "cf", "lc", "d=", "df", "dx")] == [
        "d=3",
        "df=30",
        "dx=300",
    ]
    assert "-2d=3" in far_left and not any(f.startswith("-2dx") for f in far_left)
    assert not any(f.startswith(("c=", "cf=", "lc=")) for f in word_features("Pinsk")[0])


def test_a_cross_validation_variant_reads_its_own_name_lists(tmp_path, shipped_tables):
    from index.entities import gazetteer
    from index.entities.features import word_features

    cv = _load_eval("wikinews_cv")
    other = tmp_path / "gazetteer.tsv"
    other.write_text("# lists\nPinsk\tp2,s1\n", encoding="utf-8")
    cv.use_tables(gazetteer=str(other))
    assert gazetteer.load_gazetteer() == {"Pinsk": ("p2", "s1")}
    assert [f for f in word_features("Pinsk")[0] if f[:2] in ("gp", "gs")] == ["gp2", "gs1"]
    assert not any(f[:2] in ("gp", "gf", "gs") for f in word_features("Minsk")[0])


def test_a_cross_validation_variant_reads_its_own_known_names(tmp_path, shipped_tables):
    from index.entities import known_names
    from index.entities.document_features import document_features

    cv = _load_eval("wikinews_cv")
    (tmp_path / "known_organisations.txt").write_text("# a list\nPinsk Rowing Club\n")
    (tmp_path / "known_places.txt").write_text("Pinsk\n")
    (tmp_path / "known_people.txt").write_text("")
    cv.use_tables(known_names=str(tmp_path))
    assert [(prefix, len(names)) for prefix, names in known_names.load_known_names()] == [
        ("Lo", 1),
        ("Lp", 1),
        ("Lh", 0),
    ]
    feats = document_features([["The", "Pinsk", "Rowing", "Club", "won"]])[0]
    assert [[f for f in own if f.startswith("L")] for own in feats] == [
        ["Lo>", "Lp>"],
        ["Lo=B", "Lp=S"],
        ["Lo=I", "Lp<"],
        ["Lo=E"],
        ["Lo<"],
    ]
    assert not any(f.startswith("L") for own in document_features([["NATO"]])[0] for f in own)


def test_cluster_text_is_the_training_split_as_shipped(tmp_path):
    """`--text` writes the demo records of the 233 training articles, unchanged: the held-out
    articles' text must not reach the word clusters."""
    out = tmp_path / "text.jsonl"
    assert builder.main(["--text", str(out)]) == 0
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    with gzip.open(builder.DEMO, "rt", encoding="utf-8") as handle:
        demo = {row["id"]: row for row in map(json.loads, handle)}
    assert len(written) == 233
    assert {row["id"] for row in written} == {row["id"] for row in builder.load_annotations()}
    assert not {row["id"] for row in written} & set(builder._ids(builder.HELD_OUT))
    assert all(row == demo[row["id"]] for row in written)


@pytest.mark.slow
def test_shipped_clusters_rebuild_from_the_documented_text(corpora, tmp_path):
    """The shipped clusters.tsv is exactly what the README's command builds: `eng.train` and
    the training articles, clustered again with Reuters-21578, BBC and AG News (so no other
    text, the held-out set's included, is in it)."""
    from index.entities.clusters import CLUSTERS_PATH, build

    text = tmp_path / "text.jsonl"
    builder.write_text(text)
    out = tmp_path / "clusters.tsv"
    first = [str(corpora / "conll2003" / "eng.train"), str(text)]
    more = [str(corpora / name) for name in MORE_CLUSTERS_TEXT]
    words = build(first, out, more)
    assert words == len(CLUSTERS_PATH.read_text(encoding="utf-8").splitlines()) > 30_000
    assert out.read_bytes() == CLUSTERS_PATH.read_bytes()
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert {len(row) for row in rows} == {7}
    # the first clustering holds only the labelled text's words, the second all of them
    assert 9_000 < sum(bool(row[1]) for row in rows) < 10_000
    assert all(row[4] for row in rows)


def test_a_word_only_in_the_wider_text_gets_only_second_ids(tmp_path):
    """`--more-clusters-text` adds three columns: every word gets the wider clustering's ids,
    a word the first text lacks no first ones (its case bucket from the wider text)."""
    from index.entities.clusters import build

    first, more = tmp_path / "first.conll", tmp_path / "more.conll"
    conll = "{}\n\n".format  # one sentence, a word a line
    first.write_text("".join(conll(f"Zork{i % 3}\nmet\nQuux{i % 5}\n.") for i in range(40)))
    more.write_text("".join(conll(f"we\nsaw\nBlah{i % 4}\nand\nQuux{i % 5}") for i in range(40)))
    out = tmp_path / "clusters.tsv"
    words = build([str(first)], out, [str(more)], ks=(2, 3), more_ks=(2, 3, 4))
    assert words == len(out.read_text().splitlines())
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in out.read_text().splitlines()}
    assert all(len(row) == 6 for row in rows.values())
    assert rows["zork1"][0] and rows["zork1"][3]  # in both
    assert not rows["blah1"][0] and rows["blah1"][3]  # only in the wider text
    assert rows["blah1"][2] == "0"  # capitalised mid-sentence: a name


def test_second_pass_label_features():
    """eval/second_pass_cv.py's features: the first pass's own and neighbouring labels, and
    the label it gave most often to the same capitalised word elsewhere in the article."""
    second = _load_eval("second_pass_cv")
    sentences = [["Moody", "said", "."], ["Mr.", "Moody", "left"], ["Moody", "'s", "rose"]]
    tags = [["B-ORG", "O", "O"], ["O", "B-PER", "O"], ["B-PER", "O", "O"]]
    feats = second.label_features(sentences, tags)
    assert feats[0][0] == ["K0=B-ORG", "K+1=O", "Km=PER"]  # the other two: PER
    assert feats[1][1] == ["K0=B-PER", "K-1=O", "K+1=O", "Km=ORG"]  # one each: the first seen
    assert feats[0][1] == ["K0=O", "K-1=B-ORG", "K+1=O"]  # lowercase: no majority
    assert second.label_features([["Minsk"]], [["B-LOC"]]) == [[["K0=B-LOC"]]]


def test_cross_validation_scores_the_values_before_the_second_look():
    """The second look's weights learnt from the training articles' annotations, so
    `wikinews_cv.py` scores those articles without it (the second look has its own nested
    cross-validation, `eval/value_kinds_train.py --cv`)."""
    from index.entities import extract_entities

    cv = _load_eval("wikinews_cv")
    texts = cv.demo_texts()
    [ident] = [i for i in texts if i.startswith("wikinews-US_federal_agency_announces_plans_to")]
    # "without influence from the White House": the tagger reads the administration (as
    # annotated), the second look a place; the cross-validation scores the tagger's reading
    assert "White House" in cv.first_pass(texts[ident])["organization"]
    assert "White House" in extract_entities("", texts[ident])["place"]
