"""Snippets and highlighted titles: the query's words marked in the article text.

Matching compares analysed terms (`tokens_with_offsets`), so a query for
"sanctions" marks "sanction" and "Sanctioned" too, exactly as the index
matched them. A phrase is marked as one span. Only the first ~20 KB of a body
is read: enough for any snippet, and it keeps ten snippets well under a
millisecond each. Output is HTML in which only `<mark>` survives: the text is
escaped here and nh3 is the final gate.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import compress, islice

import nh3

from search.analysis import Tokens, index_term

SCAN_CHARS = 20_000
MAX_FRAGMENTS = 3
ANCHORS_PER_KEY = 20  # candidate windows per query part...
ANCHORS = 80  # ...and per text, shared among a long question's many parts
MIN_ANCHORS_PER_KEY = 4
LOOK_BACK = 1000  # characters searched back for a sentence end before listing them all
SEPARATOR = " … "
ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")
# Words are runs of non-space. A word starts after white space (or at the text's start);
# matched from a position up to an end position, `.*` then backtracking finds the last
# word end before that end position (one followed by white space).
_WORD_START = re.compile(r"(?<!\S)\S")
_LAST_WORD_END = re.compile(r".*\S(?=\s)", re.DOTALL)
# A sentence ends at . ! or ? (closing quotes and brackets included) before white
# space, or at a line break. Matched as `_LAST_WORD_END` is, the last such end: a line
# break counts only with a character after it, which keeps its end inside the range.
_SENTENCE_END = r"[.!?][\"'’”)\]]*(?=\s)|\n"
_LAST_SENTENCE_END = re.compile(rf".*(?:{_SENTENCE_END}(?=.))", re.DOTALL)


class _Span:
    """One marked range of the text and the query part (term or phrase) it matches."""

    __slots__ = ("start", "end", "key")

    def __init__(self, start: int, end: int, key: str):
        self.start, self.end, self.key = start, end, key


class _Text:
    """Word and sentence boundaries of a text, for cutting fragments cleanly: each found
    where it is asked about, by a regular expression searching from there (a snippet asks
    about a few dozen positions; listing every boundary of a long text cost more than
    the rest of the snippet)."""

    def __init__(self, text: str):
        self.text = text
        self._sentence_starts: dict[int, int] = {}  # asked again for each fragment count
        self._sentence_ends: list[int] | None = None

    def next_word_start(self, pos: int) -> int:
        found = _WORD_START.search(self.text, pos)
        return found.start() if found else len(self.text)

    def _last_sentence_end(self, pos: int) -> int | None:
        """The last sentence end (see `_SENTENCE_END`) at or before `pos`, or None: looked
        for in the LOOK_BACK characters before it, else among all of them, listed once (a
        text with no sentence end would otherwise be scanned back on every call). An end
        begun before the window and ending in it is the last only if no end begins inside
        the window (ends never nest), and then the list answers."""
        text = self.text
        if pos >= len(text):
            if text.endswith("\n"):
                return len(text)
            pos = len(text) - 1
        start = max(0, pos - LOOK_BACK)
        found = _LAST_SENTENCE_END.match(text, start, pos + 1)
        if found or not start:
            return found.end() if found else None
        if self._sentence_ends is None:
            self._sentence_ends = [m.end() for m in re.finditer(_SENTENCE_END, text)]
        i = bisect_right(self._sentence_ends, pos)
        return self._sentence_ends[i - 1] if i else None

    def sentence_start_before(self, pos: int) -> int:
        """The start of the sentence holding `pos`: the first word after the last sentence
        end at or before it."""
        found = self._sentence_starts.get(pos)
        if found is None:
            found = self._sentence_starts[pos] = self._sentence_start(pos)
        return found

    def _sentence_start(self, pos: int) -> int:
        end = self._last_sentence_end(pos)
        while end is not None:
            start = self.next_word_start(end)
            if start <= pos:
                return start
            end = self._last_sentence_end(end - 1) if end else None
        return 0

    def end_within(self, start: int, limit: int, must_reach: int) -> int:
        """The best end in (start, limit]: a sentence end in its second half, else a word end."""
        text = self.text
        if limit >= len(text):
            return len(text.rstrip())
        end = self._last_sentence_end(limit)
        if end is not None and end >= max(must_reach, (start + limit) // 2):
            return end
        found = _LAST_WORD_END.match(text, start, limit + 1)  # the last one in (start, limit]
        if found and found.end() >= must_reach:
            return found.end()
        return must_reach  # one match longer than the budget: keep it whole

    def window(self, span: _Span, budget: int) -> tuple[int, int]:
        """A fragment of about `budget` characters holding `span`, cut at clean boundaries."""
        start = self.sentence_start_before(span.start)
        if span.end - start > budget * 2 // 3:
            # The sentence began long before: start a few words before the match.
            start = self.next_word_start(max(start, span.start - budget // 3))
            if start > span.start:
                start = span.start
        return start, self.end_within(start, start + budget, span.end)


def _clip(text: str) -> str:
    """The first ~20 KB, cut at white space so no word is split."""
    if len(text) <= SCAN_CHARS:
        return text
    cut = text.rfind(" ", SCAN_CHARS - 200, SCAN_CHARS)
    return text[: cut if cut > 0 else SCAN_CHARS]


def _where(tokens: Tokens, wanted: set[str]) -> list[tuple[int, str]]:
    """(token number, term) of the tokens whose term is in `wanted`, in order.

    When the tokens' terms are known (feedback read the text), they are compared in C.
    Else only words that can have a wanted term are looked up: an ASCII word's term, if it
    has one, starts with the word's first letter lowercased (folding an ASCII word only
    lowercases it, and stemming only ever changes a word's end), so the other ASCII
    words (most of a text's) are skipped; any other word is looked up."""
    words = tokens.words
    known = tokens.known_terms()
    if known is not None:
        return [(i, known[i]) for i in compress(range(len(known)), map(wanted.__contains__, known))]
    initials = {term[:1] for term in wanted}
    distinct = [w for w in set(words) if w[0].lower() in initials or not w.isascii()]
    terms = dict(zip(distinct, map(index_term, distinct), strict=True))
    hits = {word: term for word, term in terms.items() if term in wanted}
    places = compress(range(len(words)), map(hits.__contains__, words))
    return [(i, hits[words[i]]) for i in places]


def _spans(tokens: Tokens, found: list[tuple[int, str]]) -> list[_Span]:
    """A span per (token number, term) of `found`, in order: the parts' lengths summed
    from one to the next (in C, no list of every bound)."""
    lengths = map(len, tokens.parts)
    spans, at, done = [], 0, 0  # `at`: where part `done` starts
    for token, term in found:
        part = 2 * token + 1
        at += sum(islice(lengths, part - done))
        end = at + next(lengths)
        spans.append(_Span(at, end, term))
        at, done = end, part + 1
    return spans


def _span(tokens: Tokens, first: int, last: int, key: str) -> _Span:
    return _Span(tokens.bounds[2 * first], tokens.bounds[2 * last + 1], key)


def find_matches(
    text: str,
    terms: Iterable[str],
    phrases: Sequence[Sequence[str]] = (),
    known: dict[str, Tokens] | None = None,
) -> list:
    """Non-overlapping spans of `text` matching a query term or a whole phrase, in order.
    Stop words are not tokens: a phrase's words follow each other among the others.
    `known`: texts already split (a question's feedback read them), by text."""
    terms = set(terms)
    phrases = [tuple(p) for p in phrases if p]
    if not terms and not phrases:
        return []
    tokens = known.get(text) if known else None
    if tokens is None:
        tokens = Tokens(text)
    if not phrases:
        return _spans(tokens, _where(tokens, terms))
    # Only a phrase's first word can start it: the phrases (in order) that begin there.
    starting: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        starting.setdefault(phrase[0], []).append(phrase)
    words = [i for i, term in enumerate(tokens.terms) if term is not None]  # no stop words
    wanted = terms | set(starting)
    spans: list[_Span] = []
    covered_until = -1  # position (among `words`) of the last token inside a phrase span
    for i, token in enumerate(words):
        term = tokens.terms[token]
        if i <= covered_until or term not in wanted:
            continue
        for phrase in starting.get(term, ()):
            last = i + len(phrase) - 1
            if last < len(words) and all(
                tokens.terms[words[i + k]] == t for k, t in enumerate(phrase)
            ):
                spans.append(_span(tokens, token, words[last], " ".join(phrase)))
                covered_until = last
                break
        else:
            if term in terms:
                spans.append(_span(tokens, token, token, term))
    return spans


class _Matches:
    """A text's spans in text order, their starts and ends (bisected: a long question asks
    which spans each of dozens of windows holds) and their anchors, worked out once."""

    def __init__(self, spans: list[_Span]):
        self.spans = spans
        self.starts = [s.start for s in spans]
        self.ends = [s.end for s in spans]  # ascending too: spans never overlap
        self.span_keys = [s.key for s in spans]
        self.keys = set(self.span_keys)
        self.anchors = _anchors(spans)

    def _within(self, start: int, end: int) -> slice:
        """Which spans lie wholly inside [start, end): those starting at `start` or later
        and ending by `end`, a run of them as both starts and ends ascend."""
        lo = bisect_left(self.starts, start)
        return slice(lo, bisect_right(self.ends, end, lo))

    def keys_inside(self, start: int, end: int) -> tuple[set[str], int]:
        """The query parts the spans inside [start, end) match, and how many spans."""
        within = self._within(start, end)
        return set(self.span_keys[within]), within.stop - within.start


def _anchors(spans: list[_Span]) -> list[_Span]:
    """The first few matches of each query part: enough candidates, bounded work (a long
    question's many parts share the budget, so its snippets cost what a word's do)."""
    keys = len({s.key for s in spans})
    per_key = min(ANCHORS_PER_KEY, max(MIN_ANCHORS_PER_KEY, ANCHORS // keys))
    seen: dict[str, int] = {}
    out = []
    for span in spans:
        seen[span.key] = seen.get(span.key, 0) + 1
        if seen[span.key] <= per_key:
            out.append(span)
    return out


def _pick_windows(doc: _Text, matches: _Matches, count: int, budget: int) -> list:
    """Greedily choose `count` windows, each covering the most query parts not yet shown."""
    chosen: list[tuple[int, int]] = []
    shown: set[str] = set()
    # Each anchor's window and what it covers, worked out once for every round.
    candidates = []
    for span in matches.anchors:
        start, end = doc.window(span, budget)
        candidates.append((span.key, span.start, start, end, *matches.keys_inside(start, end)))
    for _ in range(count):
        best, best_score = None, None
        for key, at, start, end, keys, held in candidates:
            if key in shown or (chosen and any(s <= at < e for s, e in chosen)):
                continue
            score = (len(keys - shown) if shown else len(keys), held, -start)
            if best_score is None or score > best_score:
                best, best_score = (start, end), score
        if best is None:
            break
        # Overlapping windows merge into one fragment.
        start, end = best
        for other in [w for w in chosen if w[0] < end and start < w[1]]:
            chosen.remove(other)
            start, end = min(start, other[0]), max(end, other[1])
        chosen.append((start, end))
        shown |= matches.keys_inside(start, end)[0]
    return sorted(chosen)


def _choose_fragments(doc: _Text, spans: list[_Span], max_chars: int) -> list:
    """One fragment if it shows every query part, else up to three smaller ones."""
    matches = _Matches(spans)
    best = None
    for count in range(1, MAX_FRAGMENTS + 1):
        budget = (max_chars - len(SEPARATOR) * (count - 1)) // count
        windows = _pick_windows(doc, matches, count, budget)
        shown = set().union(*(matches.keys_inside(*w)[0] for w in windows))
        if best is None or len(shown) > best[0]:
            best = (len(shown), windows)
        if len(shown) == len(matches.keys):
            break
    return best[1]


def _render(text: str, spans: list[_Span], start: int, end: int) -> str:
    """Escaped text of [start, end) with the spans inside it wrapped in <mark>."""
    out, pos = [], start
    for span in spans:
        s, e = max(span.start, start), min(span.end, end)
        if s >= e or s < pos:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return _SPACE.sub(" ", "".join(out)).strip()


# Built once: nh3.clean would configure a new cleaner for every call.
_CLEANER = nh3.Cleaner(tags={"mark"}, attributes={})


def _safe(markup: str) -> str:
    """The final gate: whatever happened above, only a bare <mark> gets through."""
    return _CLEANER.clean(markup)


def _join(text: str, spans: list[_Span], windows: list[tuple[int, int]]) -> str:
    parts = [_render(text, spans, s, e) for s, e in windows]
    snippet = SEPARATOR.join(p for p in parts if p)
    if windows and text[: windows[0][0]].strip():
        snippet = f"{ELLIPSIS} {snippet}"
    if windows and text[windows[-1][1] :].strip():
        snippet = f"{snippet} {ELLIPSIS}"
    return snippet


def lead(text: str, max_chars: int = 200) -> str:
    """The article's opening, escaped and unmarked: the snippet for an empty query."""
    text = _clip(text or "").lstrip()
    if not text:
        return ""
    # Boundaries past the opening never decide the cut: find them in its first few
    # max_chars only (a listing of long articles no longer scans every body whole).
    doc = _Text(text[: max_chars * 4])
    end = doc.end_within(0, max_chars, 0) or min(len(text), max_chars)
    return _safe(_join(text, [], [(0, end)]))


def make_snippet(
    text: str,
    terms: set[str],
    phrases: Sequence[Sequence[str]] = (),
    max_chars: int = 200,
    known: dict[str, Tokens] | None = None,
) -> str:
    """One to three fragments around the best matches, ~max_chars in all, matches marked.

    `terms` and `phrases` are analysed index terms (what `search.analysis.analyze`
    returns for the query). Without a match the snippet is the article's lead. `known`:
    texts already split, by text (find_matches).
    """
    text = _clip(text or "").lstrip()
    spans = find_matches(text, terms, phrases, known)
    if not spans:
        return lead(text, max_chars)
    doc = _Text(text)
    return _safe(_join(doc.text, spans, _choose_fragments(doc, spans, max_chars)))


def highlight_title(
    title: str,
    terms: set[str],
    phrases: Sequence[Sequence[str]] = (),
    known: dict[str, Tokens] | None = None,
) -> str:
    """The whole title, escaped, with the query's terms and phrases marked."""
    title = title or ""
    return _safe(_render(title, find_matches(title, terms, phrases, known), 0, len(title)))
