"""The CRF tagger: load the shipped model once per process, tag sentences, return spans."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import NamedTuple

import numpy as np

from index.entities.clusters import load_clusters
from index.entities.crf import CrfModel
from index.entities.document_features import document_features
from index.entities.gazetteer import load_gazetteer
from index.entities.known_names import load_known_names
from index.entities.place_names import places
from index.entities.scores import Scorer
from index.entities.tokenize import Token, sentences
from search import settings

MODEL_PATH = Path(__file__).with_name("model.crfsuite")
KINDS = {"PER": "person", "ORG": "organization", "LOC": "place"}
MAX_VALUE_CHARS = 100
SENTENCES_PER_RUN = 1024  # a Viterbi run's arrays: at most 120 tokens x 1024 x 9 labels
_SPACE = re.compile(r"\s+")
# Edge tokens never worth keeping in a value: "the" before an entity, possessives after.
_EDGE = frozenset({"'", "\u2019", "'s", "\u2019s", "-", '"', "(", ")", ",", "."})
_BREAKS = frozenset({";", "(", ")", "[", "]"})  # a name never spans one


def model_path() -> Path:
    """The ENTITY_MODEL setting (an archive's retrained model), else the shipped one."""
    return settings.value(settings.ENTITY_MODEL) or MODEL_PATH


class Mention(NamedTuple):
    kind: str  # person / organization / place
    text: str  # surface form, whitespace normalized
    start: int
    end: int


class Certainty(NamedTuple):
    """How sure the model is of each token of one text: its probability of being outside
    any name and of being in a person's, an organisation's, a place's or a MISC name."""

    starts: np.ndarray  # each token's first character, in text order
    probs: np.ndarray  # (tokens, 5): CERTAINTY_COLUMNS


CERTAINTY_COLUMNS = ("O", "PER", "ORG", "LOC", "MISC")


class Tagger:
    """The CRF model decoded in numpy (`crf`, `scores`); one per thread (caches unlocked)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or model_path())
        if not self.path.is_file():
            raise FileNotFoundError(
                f"entity model {self.path} is missing; train it with "
                "`python -m index.entities.train --train eng.train --out <path>`"
            )
        self._model = CrfModel(self.path)
        self._scorer = Scorer(self._model)
        labels = self._model.labels
        # label probabilities -> CERTAINTY_COLUMNS: B- and I- of a kind summed
        self._columns = np.array(
            [[label == c or label[2:] == c for c in CERTAINTY_COLUMNS] for label in labels],
            dtype=float,
        )
        load_clusters()  # the model's features need them: fail now, not mid-ingest
        load_gazetteer()
        load_known_names()

    def tag(self, sentences: list[list[str]]) -> list[list[str]]:
        """IOB2 tags for each sentence of words, the sentences one document's."""
        return self.tag_documents([sentences])[0]

    def tag_documents(self, documents: list[list[list[str]]]) -> list[list[list[str]]]:
        """IOB2 tags for each sentence of each document, decoded together
        (SENTENCES_PER_RUN at a time: the arrays of a run grow with its sentences). A
        token's document features come from its own document only."""
        return self._decode(documents, sure=False)[0]

    def _decode(
        self, documents: list[list[list[str]]], sure: bool
    ) -> tuple[list[list[list[str]]], list[np.ndarray]]:
        """`tag_documents`' tags and, if `sure`, each document's CERTAINTY_COLUMNS per token."""
        kept: list[list[str]] = []
        extras: list[list[tuple[str, ...]]] = []
        for document in documents:
            for words, extra in zip(document, document_features(document), strict=True):
                if words:
                    kept.append(words)
                    extras.append(extra)
        tags: list[list[str]] = []
        probs = []
        for first in range(0, len(kept), SENTENCES_PER_RUN):
            run = kept[first : first + SENTENCES_PER_RUN]
            scores = self._scorer.scores(run, extras[first : first + SENTENCES_PER_RUN])
            lengths = [len(w) for w in run]
            tags += self._model.viterbi(scores, lengths)
            if sure:
                probs.append(self._model.marginals(scores, lengths) @ self._columns)
        found = iter(tags)
        tagged = [[next(found) if words else [] for words in doc] for doc in documents]
        if not (sure and documents):
            return tagged, []
        rows = np.concatenate(probs) if probs else np.zeros((0, len(CERTAINTY_COLUMNS)))
        sizes = [sum(map(len, doc)) for doc in documents]
        return tagged, np.split(rows, np.cumsum(sizes)[:-1])

    def tag_words(self, words: list[str]) -> list[str]:
        """IOB2 tags for one sentence of words (a document of its own)."""
        return self.tag([words])[0]

    def readings(self, texts: list[str]) -> list[tuple[list[Mention], Certainty]]:
        """Every PER/ORG/LOC mention of each text, in order, with how sure the model is of
        each of its tokens (`index.entities.value_kinds` weighs a value's mentions by it).
        The texts' sentences are tagged together: a Viterbi step costs about the same for
        one sentence as for hundreds, so many texts at once cost less than half as much per
        text."""
        split = [sentences(text) for text in texts]
        words = [[[t.text for t in sent] for sent in sents] for sents in split]
        tagged, probs = self._decode(words, sure=True)
        out = []
        for text, sents, doc_tags, doc_probs in zip(texts, split, tagged, probs, strict=True):
            found: list[Mention] = []
            for sent, sent_tags in zip(sents, doc_tags, strict=True):
                if sent_tags.count("O") < len(sent_tags):
                    found.extend(_spans_to_mentions(text, sent, sent_tags))
            starts = np.fromiter((t.start for sent in sents for t in sent), dtype=np.intp)
            out.append((found, Certainty(starts, doc_probs)))
        return out


def _spans_to_mentions(text: str, sent: list[Token], tags: list[str]) -> list[Mention]:
    out = []
    start = -1
    kind = ""
    for i, tag in enumerate((*tags, "O")):
        if start >= 0 and (tag == "O" or tag[0] == "B" or tag[2:] != kind):
            out.extend(_mentions(text, sent[start:i], kind))
            start = -1
        if tag != "O" and start < 0:
            start, kind = i, tag[2:]
    return out


def _mentions(text: str, toks: list[Token], kind: str) -> list[Mention]:
    """A span's mentions: one, or one per part where the tagger ran a name across a
    semicolon or bracket ("University of Geneva; Queloz", "Georgia Institute of Technology
    (GT"): no name holds one."""
    out: list[Mention] = []
    first = 0
    for i, tok in enumerate((*toks, None)):
        if tok is None or tok.text in _BREAKS:
            mention = _mention(text, toks[first:i], kind)
            if mention:
                out.append(mention)
            first = i + 1
    return out


def _mention(text: str, toks: list[Token], kind: str) -> Mention | None:
    if kind not in KINDS and kind != "MISC":
        return None
    while toks and toks[-1].text in _EDGE:
        toks = toks[:-1]
    while toks and toks[0].text in _EDGE:
        toks = toks[1:]
    if not toks:
        return None
    surface = _SPACE.sub(" ", text[toks[0].start : toks[-1].end])
    if len(surface) > MAX_VALUE_CHARS:
        return None  # runaway span (tables, junk): records drop values over 200 anyway
    if not any(c.isalpha() for c in surface) or not any(c.isupper() for c in surface):
        return None  # "1996", "the": never a name
    if kind == "MISC":  # a listed place read as MISC is the place; other MISC no entity
        if surface.casefold() not in places():
            return None
        kind = "LOC"
    return Mention(KINDS[kind], surface, toks[0].start, toks[-1].end)


_local = threading.local()


def get_tagger() -> Tagger:
    """The per-process (and per-thread) tagger, loaded on first use."""
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        tagger = _local.tagger = Tagger()
    return tagger
