"""Reading the six classic IR test collections in their original Glasgow formats.

CRAN, CISI, MED and ADI are `.I/.T/.A/.W` records; NPL is numbered records each
ending with a `/` line; LISA is `Document N` records separated by lines of
asterisks, title then abstract after a blank line, with queries ending in `#`
and judgements in `Query N / k Relevant Refs: ... -1` blocks. Each loader returns
a `Collection`: (number, title, body) documents, numbered queries and the set
of relevant documents per query, numbered as the relevance file numbers them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bench.corpora import corpora_dir


@dataclass
class Collection:
    name: str
    docs: list[tuple[int, str, str]]  # (doc number, title, body)
    queries: list[tuple[int, str]]  # (query number as in the relevance file, text)
    qrels: dict[int, set[int]]  # query number -> relevant doc numbers

    @property
    def judged(self) -> list[tuple[int, str]]:
        return [(q, text) for q, text in self.queries if self.qrels.get(q)]


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _squash(text: str) -> str:
    return " ".join(text.split())


# --- .I/.T/.A/.W records (CRAN, CISI, MED, ADI) ----------------------------------------------

_FIELD_LINE = re.compile(r"^\.([A-Z])(?:\s+(.*))?$")


def parse_records(text: str) -> list[tuple[int, dict[str, str]]]:
    """`.I n` records of `.X` sections: [(n, {"T": ..., "W": ...}), ...] in file order."""
    records: list[tuple[int, dict[str, list[str]]]] = []
    current: dict[str, list[str]] | None = None
    section = None
    for line in text.splitlines():
        match = _FIELD_LINE.match(line.rstrip())
        if match and match.group(1) == "I":
            current = {}
            records.append((int(match.group(2)), current))
            section = None
        elif match and current is not None:
            section = match.group(1)
            current.setdefault(section, [])
            if match.group(2):
                current[section].append(match.group(2))
        elif current is not None and section is not None:
            current[section].append(line)
    return [(n, {k: _squash(" ".join(v)) for k, v in f.items()}) for n, f in records]


def _docs(path: Path) -> list[tuple[int, str, str]]:
    """(number, title, body) of every document that has some text (two CRAN records are empty)."""
    docs = [(n, f.get("T", ""), f.get("W", "")) for n, f in parse_records(_read(path))]
    return [d for d in docs if d[1].strip() or d[2].strip()]


def _numbered(path: Path) -> list[tuple[int, str]]:
    return [(n, f.get("W", "")) for n, f in parse_records(_read(path))]


def parse_cran_qrels(text: str) -> dict[int, set[int]]:
    """`qid docid grade`; grades 1-4 are Cleverdon's relevance codes, -1 marks no judgement."""
    qrels: dict[int, set[int]] = {}
    for line in text.split("\n"):
        parts = line.split()
        if len(parts) >= 3 and int(parts[2]) != -1:
            qrels.setdefault(int(parts[0]), set()).add(int(parts[1]))
    return qrels


def cran_queries(text: str) -> list[tuple[int, str]]:
    """cran.qry numbers its queries with gaps (1, 2, 4, 8, ...); cranqrel numbers them by
    position, 1..225. Return the queries numbered as cranqrel numbers them."""
    return [(position, f.get("W", "")) for position, (_, f) in enumerate(parse_records(text), 1)]


def parse_pair_qrels(text: str, doc_column: int) -> dict[int, set[int]]:
    """CISI.REL, ADI.REL (`qid docid 0 0.0`), MED.REL (`qid 0 docid 1`): every pair is relevant."""
    qrels: dict[int, set[int]] = {}
    for line in text.split("\n"):
        parts = line.split()
        if len(parts) > doc_column:
            qrels.setdefault(int(parts[0]), set()).add(int(parts[doc_column]))
    return qrels


# --- NPL: a number line, text lines, a `/` line ------------------------------------------------


def parse_slash_records(text: str) -> list[tuple[int, str]]:
    """NPL's `doc-text`, `query-text` and `rlv-ass`: [(number, text of the lines after it)]."""
    out: list[tuple[int, str]] = []
    for block in re.split(r"(?m)^\s*/\s*$", text):
        lines = block.strip().splitlines()
        if lines and lines[0].strip().isdigit():
            out.append((int(lines[0]), _squash(" ".join(lines[1:]))))
    return out


def parse_npl_qrels(text: str) -> dict[int, set[int]]:
    return {q: {int(d) for d in docs.split()} for q, docs in parse_slash_records(text) if docs}


# --- LISA: `Document N` records between lines of asterisks ------------------------------------

_LISA_HEAD = re.compile(r"^Document\s+(\d+)\s*$")


def parse_lisa_docs(text: str) -> list[tuple[int, str, str]]:
    """(number, title, abstract): the title runs to the first blank line. The distributed
    files lose documents 1993-1997 (a headless fragment stands in their place) and repeat
    1998-2001; fragments are skipped and a repeated number keeps its first record."""
    docs: dict[int, tuple[int, str, str]] = {}
    for block in re.split(r"(?m)^\*{10,}\s*$", text.replace("\r", "")):
        lines = block.strip("\n").splitlines()
        head = _LISA_HEAD.match(lines[0]) if lines else None
        if not head:
            continue
        rest = lines[1:]
        blank = next((i for i, line in enumerate(rest) if not line.strip()), len(rest))
        number = int(head.group(1))
        title, body = _squash(" ".join(rest[:blank])), _squash(" ".join(rest[blank:]))
        if number not in docs and (title or body):
            docs[number] = (number, title, body)
    return list(docs.values())


def parse_lisa_queries(text: str) -> list[tuple[int, str]]:
    """`N`, the request's lines, then `#`."""
    out = []
    for block in text.replace("\r", "").split("#"):
        lines = block.strip().splitlines()
        if lines and lines[0].strip().isdigit():
            out.append((int(lines[0]), _squash(" ".join(lines[1:]))))
    return out


def parse_lisa_qrels(text: str) -> dict[int, set[int]]:
    """`Query N`, `k Relevant Refs:`, doc numbers ending with -1; a repeated block merges."""
    qrels: dict[int, set[int]] = {}
    for match in re.finditer(r"Query\s+(\d+)\s+\d+\s+Relevant Refs:\s*([-\d\s]*)", text):
        docs = {int(d) for d in match.group(2).split() if int(d) > 0}
        qrels.setdefault(int(match.group(1)), set()).update(docs)
    return qrels


# --- the six -------------------------------------------------------------------------------------

NAMES = ("CRAN", "CISI", "MED", "NPL", "LISA", "ADI")


def load_collections(base: Path | None = None, names: tuple[str, ...] = NAMES) -> list[Collection]:
    ir = (base or corpora_dir()) / "ir"
    loaders = {
        "CRAN": lambda d: Collection(
            "CRAN",
            _docs(d / "cran.all.1400"),
            cran_queries(_read(d / "cran.qry")),
            parse_cran_qrels(_read(d / "cranqrel")),
        ),
        "CISI": lambda d: Collection(
            "CISI",
            _docs(d / "CISI.ALL"),
            _numbered(d / "CISI.QRY"),
            parse_pair_qrels(_read(d / "CISI.REL"), 1),
        ),
        "MED": lambda d: Collection(
            "MED",
            _docs(d / "MED.ALL"),
            _numbered(d / "MED.QRY"),
            parse_pair_qrels(_read(d / "MED.REL"), 2),
        ),
        "NPL": lambda d: Collection(
            "NPL",
            [(n, "", body) for n, body in parse_slash_records(_read(d / "doc-text"))],
            parse_slash_records(_read(d / "query-text")),
            parse_npl_qrels(_read(d / "rlv-ass")),
        ),
        "LISA": lambda d: Collection(
            "LISA",
            parse_lisa_docs("".join(_read(p) for p in sorted(d.glob("LISA[0-9].[0-9]*")))),
            parse_lisa_queries(_read(d / "LISA.QUE")),
            parse_lisa_qrels(_read(d / "LISA.REL")),
        ),
        "ADI": lambda d: Collection(
            "ADI",
            _docs(d / "ADI.ALL"),
            _numbered(d / "ADI.QRY"),
            parse_pair_qrels(_read(d / "ADI.REL"), 1),
        ),
    }
    return [loaders[name](ir / name.lower()) for name in names]
