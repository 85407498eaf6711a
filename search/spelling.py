"""Did you mean: a better-spelled query, offered only when it finds clearly more.

Only words the index (almost) never saw are replaced; the reader's other words
are kept as typed. Candidates come from the title and body lexicons by edit
distance (on the analysed form and on the folded word, so both "sanctoins" and
its stem are tried), and each chosen term is shown the way articles spell it,
read from a few stored records. The engine's `hits` callback then decides: the
corrected query must find at least 3× as many articles, and at least 3 more.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable

from rapidfuzz.distance import OSA

from search.analysis import POSSESSIVE, TOKEN_PATTERN, fold, index_term
from search.schema import unpack_record

FIELDS = ("body", "title")
RARE = 2  # a word in at most this many articles is worth a second look
MIN_GAIN_RATIO = 3.0
MIN_GAIN = 3
MIN_LENGTH = 4  # shorter words have too many neighbours to guess from
SAMPLE_DOCS = 3
SAMPLE_CHARS = 4000


def _doc_frequency(reader, term: str) -> int:
    return max(reader.doc_frequency(field, term) for field in FIELDS)


def _max_distance(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def _distance(a: str, b: str, limit: int | None = None) -> int:
    """Edit distance with adjacent transpositions (typing slips swap letters): rapidfuzz's
    optimal string alignment, in C. Past `limit` it stops early and returns limit + 1."""
    return OSA.distance(a, b, score_cutoff=limit)


class _Lexicon:
    """Terms frequent enough to be a correction, bucketed by first letter and length.

    Whoosh's `terms_within` takes 60–800 ms on a 20k-article index (a Python
    automaton per segment); scanning one bucket with a bounded distance is ~1 ms.
    """

    def __init__(self, reader):
        frequencies: Counter = Counter()
        for field in FIELDS:
            for leaf, _ in reader.leaf_readers():
                for raw, info in leaf.iter_field(field):
                    term = raw.decode("utf-8")
                    frequencies[term] = max(frequencies[term], info.doc_frequency())
        self.buckets: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for term, df in frequencies.items():
            if df >= MIN_GAIN and term.isalpha():
                self.buckets.setdefault((term[0], len(term)), []).append((term, df))

    def near(self, text: str, limit: int) -> list[tuple[str, int, int]]:
        """(term, distance, df) for terms within `limit` edits sharing the first letter."""
        out = []
        for length in range(len(text) - limit, len(text) + limit + 1):
            for term, df in self.buckets.get((text[0], length), ()):
                distance = _distance(text, term, limit)
                if distance <= limit:
                    out.append((term, distance, df))
        return out


_lexicons: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def warm(reader) -> None:
    """Build the reader's lexicon ahead of the first query that needs it."""
    _lexicon(reader)


def _lexicon(reader) -> _Lexicon:
    found = _lexicons.get(reader)
    if found is None:
        found = _lexicons[reader] = _Lexicon(reader)
    return found


def _candidate_terms(reader, word: str, term: str) -> list[tuple[str, int]]:
    """Lexicon terms near the word or its stem, with their document frequencies."""
    lexicon = _lexicon(reader)
    found: dict[str, int] = {}
    for text in {term, fold(word)}:
        for near, _, df in lexicon.near(text, _max_distance(text)):
            found[near] = df
    return [(t, df) for t, df in found.items() if t != term]


def surface_forms(
    reader,
    term: str,
    fields: tuple[str, ...] = FIELDS,
    sample_docs: int = SAMPLE_DOCS,
    sample_chars: int = SAMPLE_CHARS,
    words: Callable[[str], list[str]] = TOKEN_PATTERN.findall,
) -> Counter:
    """How articles write an index term ("sanction" -> "sanctions", "sanctioned"...): the
    `words` of the title and first `sample_chars` of the body of the first `sample_docs`
    articles holding it, in the first of `fields` that has any."""
    forms: Counter = Counter()
    for field in fields:
        if (field, term) not in reader:
            continue
        for count, docnum in enumerate(reader.postings(field, term).all_ids()):
            if count == sample_docs:
                break
            record = unpack_record(reader.stored_fields(docnum)["record"])
            text = f"{record.get('title') or ''}\n{(record.get('body') or '')[:sample_chars]}"
            for word in words(text):
                if index_term(word) == term:
                    forms[POSSESSIVE.sub("", word)] += 1
        if forms:
            break
    return forms


def _spell(reader, typed: str, term: str) -> str:
    """The surface form of `term` closest to what was typed, then the most common one."""
    forms = surface_forms(reader, term)
    if not forms:
        return term
    lowered = {form.lower() for form in forms}

    def rank(form: str) -> tuple:
        return (_distance(fold(typed), fold(form)), -forms[form], form)

    best = min(forms, key=rank)
    # A capital seen only at the start of sentences is not part of the word.
    return best.lower() if best.lower() in lowered and best.lower() in forms else best


def _replacement(
    reader, word: str, term: str | None, frequency_of: Callable[[str], int]
) -> str | None:
    """A better word for a (nearly) unknown one (`term`: its index term), or None."""
    if term is None or len(fold(word)) < MIN_LENGTH or not word.isalpha():
        return None
    frequency = frequency_of(term)
    if frequency > RARE:
        return None
    typed = fold(word)
    candidates = [
        (_distance(typed, t), -df, t)
        for t, df in _candidate_terms(reader, word, term)
        if df >= max(MIN_GAIN, frequency * MIN_GAIN_RATIO)
    ]
    if not candidates:
        return None
    return _spell(reader, word, min(candidates)[2])


def correct(
    reader,
    words: list[str],
    hits: Callable[[str], int],
    terms: list[str | None] | None = None,
    before: int | None = None,
    frequency: Callable[[str], int] | None = None,
    most: int | None = None,
) -> str | None:
    """The query with its unknown words respelled, if that finds clearly more; else None.

    `words` are the reader's query words as typed; `hits(query)` is the engine's
    exact result count for a query string. A caller that has analysed the query
    already passes each word's index term (`terms`, None for a stop word) and its
    count (`before`), so neither is worked out again, and may pass `frequency(term)`, the
    largest document frequency over FIELDS, from its own cache, and `most`, the most
    articles any query could find (live, within the query's dates): when even
    that would not be a clear gain over `before`, no word is looked up (a long question
    often finds a third of the archive, and the costly lookups could only end in None).
    """
    if before is not None and most is not None and not _clear_gain(before, most):
        return None
    if terms is None:
        terms = [index_term(word) for word in words]
    frequency_of = frequency or (lambda term: _doc_frequency(reader, term))
    replaced = [_replacement(reader, w, t, frequency_of) for w, t in zip(words, terms, strict=True)]
    if not any(replaced):
        return None
    corrected = " ".join(new or old for new, old in zip(replaced, words, strict=True))
    if before is None:
        before = hits(" ".join(words))
    return corrected if _clear_gain(before, hits(corrected)) else None


def _clear_gain(before: int, after: int) -> bool:
    return after >= before * MIN_GAIN_RATIO and after >= before + MIN_GAIN
