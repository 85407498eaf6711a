"""Entities in Russian text: natasha's slovnet NER, names in their dictionary form.

slovnet's news NER model (PER / LOC / ORG, trained on Russian news; it ships
inside the natasha and slovnet wheels, so nothing is downloaded) finds the
mentions; `russian_forms` puts each in the nominative ("Александром
Налбандовым" -> "Александр Налбандов"); `folding` makes one value per name and
article, as for English. The models load on the first Russian article, once per
process (about 1.6 s): an English-only archive never loads them.

The text is tagged in chunks of whole sentences, so a huge article costs time in
proportion to its length and memory in proportion to one chunk. Ingest runs one
worker process per core, so the model's matrix products run on one BLAS thread:
BLAS's own threads would only fight the other workers for the cores.

Furniture: a credit line ("Фото: «Белорусская военная газета»", "Источник:
РИА Новости") names the page's sources, not the story's entities. Names: a
tagged span is split at list bullets and brackets ("Барри Лоуенкрон (Barry
Lowenkron)" is two values), loses a legal form ("ОАО «Газпром»" -> Газпром),
and is no name without a capital letter or when it is a kind of body alone
("Правительство", "СМИ").
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

from index.entities.folding import fold_mentions
from index.entities.russian_forms import dictionary_form, person_readings
from index.entities.tagger import KINDS, MAX_VALUE_CHARS, Mention

CHUNK_CHARS = 2_000  # sentences are tagged together up to this length
_QUOTES_BEFORE = re.compile(r"[«\"„“'‘]\s*$")
_CREDIT_BEFORE = re.compile(
    r"\b(?:фото|фотография|фотографии|снимок|изображение|иллюстрация|видео|"
    r"источник|автор|текст|редактор|перевод)\s*[:—–-]\s*[«\"„“]?\s*$",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
# A list run together ("Бахрейн • Барбадос"): its separators are never inside a name.
_LIST_SEPARATORS = re.compile(r"\s*[•·|;]\s*")
# "Барри Лоуенкрон (Barry Lowenkron)", "Комитет защиты журналистов (КЗЖ)": two names.
_BRACKETED = re.compile(r"\(([^()]*)\)?")
_EDGE = " \t\n«»\"„“”'‘’()[],:•-–—"
# A legal form before a quoted name ("ОАО «Газпром»"): the organisation is Газпром.
_LEGAL_FORM = re.compile(
    r"(?:ОАО|ЗАО|ООО|ПАО|АО|НАО|ГУП|ФГУП|МУП|ФГУ|ФГБУ|АНО|НКО|ТОО|ОДО)\s+[«\"„“]"
)
# A word for a kind of body, alone, names none ("Правительство заявило", "СМИ сообщили").
GENERIC_BODIES = frozenset(
    {
        "правительство", "министерство", "ведомство", "суд", "комитет", "комиссия", "совет",
        "союз", "партия", "служба", "агентство", "управление", "департамент", "администрация",
        "компания", "банк", "центр", "сеть", "фонд", "организация", "движение", "объединение",
        "группа", "сми",
    }
)  # fmt: skip

_local = threading.local()


class RussianTagger:
    """slovnet's NER over navec embeddings; one per process (and thread)."""

    def __init__(self) -> None:
        from natasha import NewsEmbedding, NewsNERTagger
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
        self._ner = NewsNERTagger(NewsEmbedding())

    def mentions(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(PER / LOC / ORG, start, end) of every mention in `text`, in order."""
        chunks = list(_chunks(text))
        markups = self._ner.map([text[start:end] for start, end in chunks])
        for (offset, _), markup in zip(chunks, markups, strict=True):
            for span in markup.spans:
                yield span.type, offset + span.start, offset + span.stop


def get_russian_tagger() -> RussianTagger:
    """The per-process (and per-thread) Russian tagger, loaded on first use."""
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        tagger = _local.tagger = RussianTagger()
    return tagger


def _chunks(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of runs of whole sentences up to CHUNK_CHARS (a longer one is cut at spaces)."""
    from razdel import sentenize

    start = end = None
    for sentence in sentenize(text):
        if start is not None and sentence.stop - start > CHUNK_CHARS:
            yield start, end
            start = None
        if start is None:
            start = sentence.start
        end = sentence.stop
        while end - start > CHUNK_CHARS:
            cut = text.rfind(" ", start + 1, start + CHUNK_CHARS)
            cut = cut if cut > start else start + CHUNK_CHARS
            yield start, cut
            start = cut
    if start is not None and end > start:
        yield start, end


def russian_entities(text: str) -> dict[str, list[str]]:
    """People, organisations and places in Russian `text`, one value per name, nominative."""
    found = [
        (KINDS[label], part_start, part_end)
        for label, start, end in get_russian_tagger().mentions(text)
        if label in KINDS and not _after_credit(text, start)
        for part_start, part_end in _names(text, start, end)
    ]
    mentions = dictionary_forms(text, found)
    return fold_mentions(m for m in mentions if not _generic(m))


def _after_credit(text: str, start: int) -> bool:
    """A credit line's source ("Фото: ...") is the page's, not the story's."""
    return bool(_CREDIT_BEFORE.search(text, text.rfind("\n", 0, start) + 1, start))


def _names(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The names in one tagged span: a list split, a bracketed other name apart, a legal
    form dropped, edge punctuation trimmed; only spans with a capital, of a value's length."""
    for piece_start, piece_end in _split(_LIST_SEPARATORS, text, start, end):
        for s, e in _bracketed(text, piece_start, piece_end):
            s, e = _trim(text, s, e)
            legal = _LEGAL_FORM.match(text, s, e)
            if legal:
                s, e = _trim(text, legal.end(), e)
            surface = text[s:e]
            if 0 < len(surface) <= MAX_VALUE_CHARS and any(c.isupper() for c in surface):
                yield s, e


def _split(pattern: re.Pattern, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for match in pattern.finditer(text, start, end):
        yield start, match.start()
        start = match.end()
    yield start, end


def _bracketed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The span outside brackets, then each bracketed part, as separate names."""
    inner = list(_BRACKETED.finditer(text, start, end))
    if not inner:
        yield start, end
        return
    yield start, inner[0].start()
    for match in inner:
        yield match.start(1), match.end(1)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def _generic(m: Mention) -> bool:
    return m.kind == "organization" and m.text.casefold() in GENERIC_BODIES


def dictionary_forms(text: str, found: list[tuple[str, int, int]]) -> list[Mention]:
    """Mentions (kind, start, end) of `text` with their names in the nominative.

    A name in quotes keeps its form; a surname alone takes the form of the full
    name it shortens in the same text (the eval reduces gold names this way too).
    """
    mentions = []
    for kind, start, end in found:
        surface = _SPACE.sub(" ", text[start:end])
        quoted = bool(_QUOTES_BEFORE.search(text, max(0, start - 3), start))
        mentions.append(Mention(kind, dictionary_form(surface, kind, quoted=quoted), start, end))
    return _settle_surnames(mentions, text)


def _settle_surnames(mentions: list[Mention], text: str) -> list[Mention]:
    """A surname alone takes the form of the article's full name it shortens.

    "Удальцова" reads as Удальцов (genitive) or Удальцова (nominative); where
    the article names "Сергей Удальцов", it is Удальцов.
    """
    surnames = {
        m.text.split()[-1].casefold(): m.text.split()[-1]
        for m in mentions
        if m.kind == "person" and len(m.text.split()) > 1
    }
    if not surnames:
        return mentions
    out = []
    for m in mentions:
        if m.kind == "person" and " " not in m.text:
            readings = person_readings(text[m.start : m.end])
            known = [surnames[r.casefold()] for r in readings if r.casefold() in surnames]
            if known and m.text.casefold() not in surnames:
                m = m._replace(text=known[0])
        out.append(m)
    return out
