"""Phrase matching on decoded positions: the documents where a phrase's words follow each other.

Whoosh's phrase matcher (`Phrase`, SpanNear2 with slop 1) walks the documents
holding every word one at a time in Python, building span objects from each
one's positions: a phrase of two frequent words ("said state") took over a
hundred milliseconds. Here the documents holding every word come from the
cached posting lists (search.postings), only the posting blocks holding those
documents are read for their positions (search.codec finds them, search.blocks
decodes them), and the positions are compared in numpy: a document matches when the i-th word of the
phrase is at position p + i for some position p of its first word, which is
exactly what Whoosh's matcher accepts (its spans must be 1 apart, in order).
Deleted documents never match, as in Whoosh. tests/test_phrases.py compares
the two on real articles.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from search.blocks import sorted_member
from search.generation import Generation

EMPTY = np.zeros(0, dtype=np.int64)


def phrase_docs(
    gen: Generation, fieldname: str, terms: list[str], expired: Callable[[], bool]
) -> np.ndarray:
    """Live documents (ascending) holding `terms` at consecutive positions of `fieldname`;
    empty if `expired()` says the query's time is up before the positions are compared."""
    docs: np.ndarray | None = None
    for term in terms:
        ids = gen.postings.get(fieldname, term)[0]
        docs = ids if docs is None else np.intersect1d(docs, ids, assume_unique=True)
        if not len(docs):
            return EMPTY
    if docs is None:
        return EMPTY
    docs = docs[gen.live[docs]].astype(np.int64)
    if len(terms) == 1 or not len(docs):
        return docs
    keys: dict[str, np.ndarray] = {}
    for term in dict.fromkeys(terms):
        if expired():
            return EMPTY
        keys[term] = gen.postings.lexicons.positions(fieldname, term, docs)
    starts = keys[terms[0]]
    for offset, term in enumerate(terms[1:], 1):
        starts = starts[sorted_member(starts + offset, keys[term])]
    return np.unique(starts >> 32)
