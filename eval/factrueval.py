"""The factRuEval-2016 devset (`../shared/corpora/factrueval-dev`): texts and gold names.

Format (upstream README of dialogue-evaluation/factRuEval-2016): `book_N.txt`
is the text; `.spans` lines are `id type start length first-token tokens #
...`; `.objects` lines are `id type span-id... # text`, one mention of a
Person, Org, Location or LocOrg each. A text's first line is its title.

Which part of a mention is the gold name follows natasha's own evaluation on
this set (naeval, `adapt_factru`): a Person is the whole mention ("Юрия
Лужкова"); an Org is its `org_name` spans ("движения «Солидарность»" ->
"Солидарность"); a Location or LocOrg its `loc_name` spans ("Тверской
площади" -> "Тверской"). A mention with no such span ("компании", "мэрии
Москвы" whose Москвы is annotated again as a LocOrg) names nothing a reader
would filter by and gives no gold value.

LocOrg ("a country acting as an organisation": "Россия ввела санкции") is a
place here: a reader filters by Россия whatever role it plays in a sentence,
the English extractor files every country under places (`furniture.places`),
and one label per name keeps an archive's Россия a single facet value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

KINDS = {"Person": "person", "Org": "organization", "Location": "place", "LocOrg": "place"}
NAME_SPANS = {"Org": {"org_name"}, "Location": {"loc_name"}, "LocOrg": {"loc_name"}}
TEXTS = 122  # in the devset


@dataclass
class Text:
    name: str  # "book_100"
    text: str
    mentions: list[tuple[str, int, int]] = field(default_factory=list)  # kind, start, end

    @property
    def title(self) -> str:
        return self.text.split("\n", 1)[0]

    @property
    def body(self) -> str:
        return self.text.split("\n", 1)[1] if "\n" in self.text else ""

    @property
    def held_out(self) -> bool:
        """The fixed half no rule was written from (a hash of the name, not a choice)."""
        return hashlib.blake2b(self.name.encode(), digest_size=1).digest()[0] % 2 == 1


def read_factrueval(folder: Path) -> list[Text]:
    """Every text of the devset with its gold mentions; a malformed line names file and line."""
    texts = []
    for path in sorted(folder.glob("*.txt"), key=lambda p: int(p.stem.split("_")[-1])):
        text = path.read_text(encoding="utf-8")
        spans = _read_spans(path.with_suffix(".spans"), text)
        texts.append(Text(path.stem, text, list(_mentions(path.with_suffix(".objects"), spans))))
    return texts


def _read_spans(path: Path, text: str) -> dict[str, tuple[str, int, int]]:
    spans = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fields, _, shown = line.partition("#")
        parts = fields.split()
        if not parts:
            continue
        try:
            span_id, kind, start, length = parts[0], parts[1], int(parts[2]), int(parts[3])
        except (IndexError, ValueError):
            raise ValueError(f"{path}:{number}: not a span line: {line!r}") from None
        words = shown.split()[len(shown.split()) // 2 :]  # token ids, then token texts
        if words and not text[start:].startswith(words[0]):
            raise ValueError(f"{path}:{number}: span {span_id} is not at {start} in the text")
        spans[span_id] = (kind, start, start + length)
    return spans


def _mentions(path: Path, spans: dict[str, tuple[str, int, int]]):
    """(kind, start, end) of each gold name in the objects file (naeval's choice of spans)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.partition("#")[0].split()
        if not parts or parts[1] not in KINDS:
            continue  # "Project", blank lines
        try:
            own = [spans[s] for s in parts[2:]]
        except KeyError as exc:
            raise ValueError(f"{path}:{number}: unknown span {exc}") from None
        kind = KINDS[parts[1]]
        if parts[1] == "Person":
            yield kind, min(s[1] for s in own), max(s[2] for s in own)
        else:
            for span_kind, start, end in own:
                if span_kind in NAME_SPANS[parts[1]]:
                    yield kind, start, end
