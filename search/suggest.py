"""Search-as-you-type suggestions: entity names and title words that start with what was typed.

Built once per index generation from the lexicons alone (no stored records):
entity names from the `spelling` field (each value in its most frequent
spelling, counted by its facet field's document frequency) and title words
from the `title` field. Every completion key sits in one sorted list, so a
keystroke is a bisect plus a numpy top-k over the matching slice. An entity is
also found by any of its words ("luk" finds "Alexander Lukashenka"), and a
title word, indexed as a stem, is shown as its most common surface form, read
lazily from a few stored articles and cached. An entity that articles name in
two scripts (Vladimir Putin, Владимир Путин) is one entry, found by the words of
either spelling and shown in the spelling of the asker's language
(`search.scripts.display_spelling`, the rule the facets follow).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable

import numpy as np

from search.analysis import TOKEN_PATTERN, fold, fold_value, index_term
from search.generation import spelling_counts
from search.scripts import display_spelling, spans_scripts
from search.spelling import surface_forms

TITLE_KIND = "title"
SURFACE_SAMPLE_DOCS = 2  # stored articles read to find a title word's usual spelling
SURFACE_SAMPLE_CHARS = 2000  # of each article's body
PRELOAD_SURFACES = 100  # the most frequent title words are spelled out at build time
_TOP_SCAN = 4  # look at limit × this many best keys before de-duplicating
_DIGITS = re.compile(r"[\d.,]+")


def _field_frequencies(reader, field: str) -> Counter:
    """Term -> document frequency, summed over segments (faster than the merged lexicon)."""
    counts: Counter = Counter()
    for leaf, _ in reader.leaf_readers():
        for term, info in leaf.iter_field(field):
            counts[term] += info.doc_frequency()
    return counts


class Suggester:
    """Prefix completions for one reader (one index generation); build once, query often."""

    def __init__(self, reader, articles: Callable[[str, str], int] | None = None):
        """`articles(kind, term)`: live articles naming an entity value (`Archive` gives the
        facets' counts; values none names are left out); default: the lexicon's count."""
        self.reader = reader
        self.texts: list[str] = []  # per entry: display text (title words: the stem until read)
        self.kinds: list[str] = []
        counts: list[int] = []
        keyed: list[tuple[str, int]] = []
        self._surfaces: dict[int, Counter] = {}
        self._scripts: dict[int, dict[str, int]] = {}  # entry -> {spelling: articles}, two scripts
        for (kind, folded), spelled in spelling_counts(list(reader.leaf_readers())).items():
            count = articles(kind, folded) if articles else reader.doc_frequency(kind, folded)
            if not count:
                continue
            entry = self._add(display_spelling(spelled), kind, count, counts)
            names = {folded}
            if spans_scripts(spelled):  # "пут" finds Vladimir Putin too
                self._scripts[entry] = spelled
                names.update(fold_value(s) for s in spelled)
            for name in names:
                words = name.split(" ")
                keyed.extend((" ".join(words[i:]), entry) for i in range(len(words)))
        for raw, count in _field_frequencies(reader, TITLE_KIND).items():
            term = raw.decode("utf-8")
            if not _DIGITS.fullmatch(term):
                keyed.append((term, self._add(term, TITLE_KIND, count, counts)))
        keyed.sort()
        self.keys = [key for key, _ in keyed]
        self.entries = np.fromiter((e for _, e in keyed), dtype=np.int64, count=len(keyed))
        self.counts = np.asarray(counts, dtype=np.int64)
        titles = [e for e, kind in enumerate(self.kinds) if kind == TITLE_KIND]
        titles.sort(key=lambda e: -counts[e])
        for entry in titles[:PRELOAD_SURFACES]:  # what one- and two-letter prefixes show
            self._surfaces[entry] = self._surface_forms(self.texts[entry])

    def _add(self, text: str, kind: str, count: int, counts: list[int]) -> int:
        self.texts.append(text)
        self.kinds.append(kind)
        counts.append(count)
        return len(self.texts) - 1

    def _matching(self, prefix: str, limit: int) -> list[int]:
        """Entries with a key starting with `prefix`, most frequent first (a few extra)."""
        lo = bisect_left(self.keys, prefix)
        hi = bisect_left(self.keys, prefix + "\U0010ffff", lo)
        if lo >= hi:
            return []
        entries = self.entries[lo:hi]
        counts = self.counts[entries]
        take = limit * _TOP_SCAN
        if len(entries) > take:
            best = np.argpartition(-counts, take)[:take]
            entries, counts = entries[best], counts[best]
        order = np.lexsort((entries, -counts))
        return entries[order].tolist()

    def suggest(self, prefix: str, limit: int = 8, language: str | None = None) -> list[dict]:
        """Up to `limit` completions of `prefix`: [{"text", "kind", "count"}], most used first;
        an entity named in two scripts in the spelling of `language` (default: the most used).

        What was typed completes as a whole ("alexander luk": Alexander Lukashenka); after
        those, its last word completes on its own behind the words before it, as typed
        ("minsk luk": "minsk Lukashenka"), counted by the completed word.
        """
        typed = fold_value(prefix)
        if not typed or limit <= 0:
            return []
        out = self._complete(typed, limit, language)
        words = prefix.split()
        if len(out) < limit and len(words) > 1:
            head = " ".join(words[:-1])
            shown = {fold(item["text"]) for item in out}
            head_words = set(fold_value(head).split())
            for item in self._complete(fold_value(words[-1]), limit, language):
                text = f"{head} {item['text']}"
                # "alexander luk": Alexander Lukashenka already completes the whole text
                if fold(text) not in shown and not head_words <= set(fold(item["text"]).split()):
                    shown.add(fold(text))
                    out.append({**item, "text": text})
                    if len(out) == limit:
                        break
        return out

    def _complete(self, typed: str, limit: int, language: str | None) -> list[dict]:
        """Entries whose key starts with the folded `typed`, de-duplicated, most used first."""
        if not typed:
            return []
        found = self._matching(typed, limit)
        stem = index_term(typed) if " " not in typed else None
        if stem and stem != typed:  # "sanctions" is indexed as "sanction"
            found += self._matching(stem, limit)
        ranked = sorted(
            set(found), key=lambda e: (-int(self.counts[e]), self.kinds[e] == TITLE_KIND, e)
        )
        out: list[dict] = []
        shown: set[str] = set()  # folded texts shown, and the words of entity names shown
        for entry in ranked:
            text = self._display(entry, typed, language)
            folded = fold(text)
            if folded in shown:  # "Lukashenka" in titles after "Alexander Lukashenka"
                continue
            shown.add(folded)
            if self.kinds[entry] != TITLE_KIND:
                for spelling in self._scripts.get(entry, {text: 1}):  # "Putin" after Путин
                    shown.update(fold(spelling).split())
            out.append({"text": text, "kind": self.kinds[entry], "count": int(self.counts[entry])})
            if len(out) == limit:
                break
        return out

    def _display(self, entry: int, typed: str, language: str | None) -> str:
        if entry in self._scripts:
            return display_spelling(self._scripts[entry], language)
        if self.kinds[entry] != TITLE_KIND:
            return self.texts[entry]
        forms = self._surfaces.get(entry)
        if forms is None:
            forms = self._surfaces[entry] = self._surface_forms(self.texts[entry])
        if not forms:
            return self.texts[entry]
        # Prefer what continues the typed text, then ordinary case (titles may be in
        # capitals), then the most frequent form.
        return max(
            forms,
            key=lambda f: (fold(f).startswith(typed), not f.isupper(), forms[f], f.lower() == f),
        )

    def _surface_forms(self, term: str) -> Counter:
        """How the articles that use this title word spell it, from a few stored records."""
        # Stems nearly always share all but their last letter with the word ("compani",
        # "company"): a regex finds candidates without tokenizing the whole text.
        near = re.compile(rf"\b{re.escape(term[: max(1, len(term) - 1)])}\w*", re.IGNORECASE)

        def words(text: str) -> list[str]:
            return [m.group() for m in near.finditer(text)] or TOKEN_PATTERN.findall(text)

        return surface_forms(
            self.reader, term, (TITLE_KIND,), SURFACE_SAMPLE_DOCS, SURFACE_SAMPLE_CHARS, words
        )
