"""Ranking quality on the classic IR test collections (CRAN, CISI, MED).

    python eval/ir.py [--json OUT]

For each collection, two indexes are built in a temporary folder and every
judged query is run against both:

* baseline: plain Whoosh - StemmingAnalyzer, default BM25F, the words of the
  query OR-ed over title and body;
* ours: the project's own schema and analysis, filled by the real ingest path
  (`index.writer.ingest`), ranked by the production engine
  (`Archive.search`, sort by relevance: search.ranking's weights, term_weight
  and pseudo-relevance feedback, computed in numpy), i.e. what users get.

Measures: MAP at depth 100 over the judged queries, and nDCG@10, both with
binary relevance (every judged pair is relevant, except CRAN's `-1` rows).
One set of settings serves all three collections.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from whoosh.analysis import StemmingAnalyzer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402
from whoosh.filedb.filestore import RamStorage  # noqa: E402
from whoosh.qparser import MultifieldParser, OrGroup  # noqa: E402

from bench.corpora import corpora_dir  # noqa: E402
from search import ranking  # noqa: E402
from search.archive import Archive  # noqa: E402
from search.limits import MAX_PER_PAGE  # noqa: E402

DEPTH = 100  # MAP is computed over the first DEPTH results
NDCG_AT = 10
DEFAULT_JSON = ROOT / "eval" / "results" / "ir.json"


# --- reading the collections ------------------------------------------------------------

_FIELD_LINE = re.compile(r"^\.([A-Z])(?:\s+(.*))?$")


def parse_records(text: str) -> list[tuple[int, dict[str, str]]]:
    """`.I n` records of `.X` sections: [(n, {"T": ..., "W": ...}), ...] in file order."""
    records: list[tuple[int, dict[str, str]]] = []
    current: dict[str, list[str]] | None = None
    section = None
    for line in text.splitlines():
        match = _FIELD_LINE.match(line.rstrip())
        if match and match.group(1) == "I":
            current = {}
            records.append((int(match.group(2)), current))  # type: ignore[arg-type]
            section = None
        elif match and current is not None:
            section = match.group(1)
            current.setdefault(section, [])
            if match.group(2):
                current[section].append(match.group(2))
        elif current is not None and section is not None:
            current[section].append(line)
    return [
        (number, {k: " ".join(" ".join(v).split()) for k, v in fields.items()})  # type: ignore[union-attr]
        for number, fields in records
    ]


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


def _docs(path: Path) -> list[tuple[int, str, str]]:
    """(number, title, body) of every document that has some text (two CRAN records are empty)."""
    docs = [(n, f.get("T", ""), f.get("W", "")) for n, f in parse_records(_read(path))]
    return [d for d in docs if d[1].strip() or d[2].strip()]


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
    """CISI.REL (`qid docid 0 0.0`) and MED.REL (`qid 0 docid 1`): every pair is relevant."""
    qrels: dict[int, set[int]] = {}
    for line in text.split("\n"):
        parts = line.split()
        if len(parts) > doc_column:
            qrels.setdefault(int(parts[0]), set()).add(int(parts[doc_column]))
    return qrels


def load_collections(base: Path | None = None) -> list[Collection]:
    ir = (base or corpora_dir()) / "ir"
    cran = ir / "cran"
    cisi = ir / "cisi"
    med = ir / "med"

    def numbered(path: Path) -> list[tuple[int, str]]:
        return [(n, f.get("W", "")) for n, f in parse_records(_read(path))]

    return [
        Collection(
            "CRAN",
            _docs(cran / "cran.all.1400"),
            cran_queries(_read(cran / "cran.qry")),
            parse_cran_qrels(_read(cran / "cranqrel")),
        ),
        Collection(
            "CISI",
            _docs(cisi / "CISI.ALL"),
            numbered(cisi / "CISI.QRY"),
            parse_pair_qrels(_read(cisi / "CISI.REL"), 1),
        ),
        Collection(
            "MED",
            _docs(med / "MED.ALL"),
            numbered(med / "MED.QRY"),
            parse_pair_qrels(_read(med / "MED.REL"), 2),
        ),
    ]


# --- measures ------------------------------------------------------------------------------


def average_precision(ranking_: Sequence[int], relevant: set[int], depth: int = DEPTH) -> float:
    """Sum of precision at each relevant hit in the first `depth`, over all relevant docs."""
    if not relevant:
        return 0.0
    hits = 0
    total = 0.0
    for rank, doc in enumerate(ranking_[:depth], 1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def ndcg(ranking_: Sequence[int], relevant: set[int], k: int = NDCG_AT) -> float:
    """Binary-relevance nDCG@k: gain 1 / log2(rank + 1), over the ideal ordering."""
    if not relevant:
        return 0.0
    dcg = sum(1 / math.log2(r + 1) for r, d in enumerate(ranking_[:k], 1) if d in relevant)
    ideal = sum(1 / math.log2(r + 1) for r in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


def evaluate(
    collection: Collection, rank: Callable[[str], Sequence[int]]
) -> dict[str, float | int]:
    aps: list[float] = []
    ndcgs: list[float] = []
    empty = 0
    for qid, text in collection.judged:
        result = rank(text)
        empty += not result
        aps.append(average_precision(result, collection.qrels[qid]))
        ndcgs.append(ndcg(result, collection.qrels[qid]))
    n = len(aps)
    return {
        "queries": n,
        "map": sum(aps) / n,
        "ndcg@10": sum(ndcgs) / n,
        "empty": empty,
    }


# --- baseline: plain Whoosh ----------------------------------------------------------------


def baseline_index(collection: Collection):
    schema = Schema(
        num=ID(stored=True),
        title=TEXT(analyzer=StemmingAnalyzer()),
        body=TEXT(analyzer=StemmingAnalyzer()),
    )
    ix = RamStorage().create_index(schema)
    writer = ix.writer()
    for number, title, body in collection.docs:
        writer.add_document(num=str(number), title=title, body=body)
    writer.commit()
    return ix


_NOT_WORD = re.compile(r"[^\w]+")


def rank_baseline(searcher, parser, text: str, limit: int) -> list[int]:
    # Punctuation and case are removed so "?", "*", ":" and "AND" stay plain words.
    query = parser.parse(_NOT_WORD.sub(" ", text).lower())
    return [int(hit["num"]) for hit in searcher.search(query, limit=limit)]


# --- ours: the project's schema and ingest, ranked by the search engine ----------------


def ours_index(collection: Collection, folder: Path):
    from index.readers import Parsed
    from index.records import article_from_dict
    from index.writer import ingest

    prefix = collection.name.lower()
    items = (
        Parsed(
            f"{prefix}:{number}",
            article_from_dict({"id": f"{prefix}-{number}", "title": title, "body": body}),
        )
        for number, title, body in collection.docs
    )
    report = ingest(folder, items, extract=False, workers=1)
    if not report.ok:
        raise RuntimeError(f"{collection.name}: {report.failed[:3]}")
    return Archive(folder)


def rank_ours(archive, text: str, limit: int = DEPTH) -> list[str]:
    """Article ids, best first, as the search engine ranks them for a reader (paged)."""
    per_page = min(limit, MAX_PER_PAGE)
    ids: list[str] = []
    page = 1
    while len(ids) < limit:
        result = archive.search(text, page=page, per_page=per_page, sort="relevance")
        ids += [hit["id"] for hit in result["results"]]
        if len(result["results"]) < per_page:
            break
        page += 1
    return ids[:limit]


# --- the run -------------------------------------------------------------------------------


def run(collections: Iterable[Collection]) -> dict[str, dict[str, dict[str, float | int]]]:
    results: dict[str, dict[str, dict[str, float | int]]] = {}
    for collection in collections:
        row: dict[str, dict[str, float | int]] = {}
        ix = baseline_index(collection)
        with ix.searcher() as searcher:
            parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)
            row["baseline"] = evaluate(
                collection, lambda t, s=searcher, p=parser: rank_baseline(s, p, t, DEPTH)
            )
        with tempfile.TemporaryDirectory(prefix="archive-search-ir-") as tmp:
            archive = ours_index(collection, Path(tmp) / "index")

            def rank(text: str, a=archive) -> list[int]:
                return [int(i.rsplit("-", 1)[1]) for i in rank_ours(a, text)]

            row["ours"] = evaluate(collection, rank)
            archive.close()
        results[collection.name] = row
    return results


def table(results: dict[str, dict[str, dict[str, float | int]]]) -> str:
    lines = [
        f"{'collection':<11}{'queries':>8}  {'MAP base':>9}{'MAP ours':>9}"
        f"{'nDCG@10 base':>14}{'nDCG@10 ours':>14}{'empty ours':>12}"
    ]
    for name, row in results.items():
        b, o = row["baseline"], row["ours"]
        lines.append(
            f"{name:<11}{b['queries']:>8}  {b['map']:>9.3f}{o['map']:>9.3f}"
            f"{b['ndcg@10']:>14.3f}{o['ndcg@10']:>14.3f}{o['empty']:>12}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = run(load_collections())
    seconds = time.perf_counter() - started
    print(table(results))
    print(f"({seconds:.0f} s; MAP at depth {DEPTH}, binary relevance)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "depth": DEPTH,
        "settings": ranking.settings(),
        "seconds": round(seconds, 1),
        "collections": results,
    }
    args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
