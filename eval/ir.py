"""Ranking quality on six classic IR test collections, with leave-one-out selection.

    python eval/ir.py [--json OUT]

For CRAN, CISI, MED, NPL, LISA and ADI (eval/ir_collections.py reads their
original formats), every judged query is ranked, in one run, by:

* plain Whoosh and SQLite FTS5 `bm25()` (eval/ir_systems.py), the baselines;
* ours, through `Archive.search` as /api/search runs it (per_page 100), with
  the shipped settings (`search.ranking.SETTINGS`);
* ours under each setting of a small grid (GRID: question words on/off,
  feedback weight 0.3/0.6, B 0.5/0.75). Only query-time settings vary, so each collection is
  indexed once (cached in eval/.cache) and re-queried; the grid ranks through
  `engine.evaluate` and `engine.top_docs`, the calls Archive.search makes, without
  its snippets (the run checks both agree for the shipped settings).

Leave-one-out: for each collection, the grid setting that does best on the other
five is scored on it; those six left-out figures are what the settings earn on a
collection they were not chosen on. "Best" (`criterion`) weighs MAP / FTS5's MAP:
half the worst collection's ratio, half the geometric mean of all of them, so each
collection counts however hard it is and none is given up for the others. The
shipped settings are what the same rule picks on all six; the run says so if they
differ.

Measures: MAP at depth 100 and nDCG@10, binary relevance (every judged pair is
relevant, except CRAN's `-1` rows). Queries are cut to the API's 1,000 characters.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "eval"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from ir_collections import (  # noqa: E402
    Collection,
    cran_queries,
    load_collections,
    parse_cran_qrels,
    parse_lisa_docs,
    parse_lisa_qrels,
    parse_lisa_queries,
    parse_npl_qrels,
    parse_pair_qrels,
    parse_records,
    parse_slash_records,
)
from ir_systems import (  # noqa: E402
    DEPTH,
    Fts5,
    PlainWhoosh,
    cut,
    doc_numbers,
    ours_index,
    rank_ours,
)

from search import engine, ranking  # noqa: E402
from search.aliases import load_aliases  # noqa: E402
from search.archive import Archive  # noqa: E402
from search.query import parse  # noqa: E402

__all__ = [  # the readers, for tests/test_ir_eval.py
    "Collection",
    "cran_queries",
    "parse_cran_qrels",
    "parse_lisa_docs",
    "parse_lisa_qrels",
    "parse_lisa_queries",
    "parse_npl_qrels",
    "parse_pair_qrels",
    "parse_records",
    "parse_slash_records",
]

NDCG_AT = 10
ALIASES = load_aliases()  # as Archive.search loads them
DEFAULT_JSON = ROOT / "eval" / "results" / "ir.json"
# Query-time settings only: one index per collection serves every point.
GRID = [
    replace(ranking.Settings(), question_words=qw, feedback_weight=fw, b=b)
    for qw in (True, False)
    for fw in (0.3, 0.6)  # conservative: the question always outweighs its feedback
    for b in (0.5, 0.75)
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
    return {"queries": n, "map": sum(aps) / n, "ndcg@10": sum(ndcgs) / n, "empty": empty}


# --- ours, without the snippets ------------------------------------------------------------


def rank_engine(archive: Archive, text: str, limit: int = DEPTH) -> list[int]:
    """What Archive.search ranks for `text` (relevance, no filters), minus the page render."""
    with archive._lock:
        gen = archive._current()
        ev = engine.evaluate(gen, parse(cut(text)), None, engine.Deadline(None), ALIASES)
        docs = engine.top_docs(gen, ev, ev.mask, "relevance", 0, limit)
        return doc_numbers([gen.searcher.stored_fields(d)["id"] for d in docs])


# --- selection -----------------------------------------------------------------------------


def criterion(maps: dict[str, float], fts5: dict[str, float]) -> float:
    """Robust: the mean of the worst collection's MAP / FTS5's MAP and the geometric mean
    of that ratio over all the given collections, so a setting must not give up one
    collection for the others."""
    ratios = [max(maps[name], 1e-9) / max(fts5[name], 1e-9) for name in maps]
    geometric = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    return (min(ratios) + geometric) / 2


def choose(grid_maps: list[dict[str, float]], fts5: dict[str, float], names: list[str]) -> int:
    """Index of the grid point with the best criterion on `names` (first one on ties)."""
    scores = [criterion({n: maps[n] for n in names}, fts5) for maps in grid_maps]
    return max(range(len(scores)), key=lambda i: (round(scores[i], 6), -i))


def leave_one_out(
    grid_maps: list[dict[str, float]], fts5: dict[str, float]
) -> dict[str, dict[str, float | int]]:
    names = list(fts5)
    out: dict[str, dict[str, float | int]] = {}
    for held in names:
        picked = choose(grid_maps, fts5, [n for n in names if n != held])
        out[held] = {"grid_point": picked, "map": grid_maps[picked][held]}
    return out


# --- the run -------------------------------------------------------------------------------


def run(collections: list[Collection], log=print) -> dict:
    results: dict[str, dict] = {}
    grid_maps: list[dict[str, float]] = [{} for _ in GRID]
    for collection in collections:
        started = time.perf_counter()
        row: dict[str, dict] = {}
        for name, system in (("whoosh", PlainWhoosh), ("fts5", Fts5)):
            baseline = system(collection)
            row[name] = evaluate(collection, baseline.rank)
            baseline.close()
        folder = ours_index(collection)
        archive = Archive(folder)
        shipped: dict[str, list[int]] = {}

        def through_api(text: str, a=archive, seen=shipped) -> list[int]:
            seen[text] = doc_numbers(rank_ours(a, text))
            return seen[text]

        row["ours"] = evaluate(collection, through_api)
        same = all(rank_engine(archive, text) == ids for text, ids in shipped.items())
        row["ours"]["engine_path_agrees"] = same
        archive.close()
        for i, settings in enumerate(GRID):
            archive = Archive(folder, ranking=settings)
            grid_maps[i][collection.name] = evaluate(
                collection, lambda t, a=archive: rank_engine(a, t)
            )["map"]
            archive.close()
        results[collection.name] = row
        log(f"{collection.name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    fts5 = {name: row["fts5"]["map"] for name, row in results.items()}
    loo = leave_one_out(grid_maps, fts5)
    for name, figures in loo.items():
        results[name]["left_out"] = figures
    picked = choose(grid_maps, fts5, list(fts5))
    return {
        "collections": results,
        "grid": [
            {"settings": _diff(s), "map": maps} for s, maps in zip(GRID, grid_maps, strict=True)
        ],
        "picked_on_all_six": picked,
        "shipped_is_picked": GRID[picked] == ranking.SETTINGS,
    }


def _diff(settings: ranking.Settings) -> dict:
    base = ranking.Settings().as_dict()
    return {k: v for k, v in settings.as_dict().items() if base[k] != v} or {"default": True}


def table(answer: dict) -> str:
    head = (
        f"{'collection':<11}{'queries':>8}  {'MAP whoosh':>11}{'fts5':>7}{'ours':>7}"
        f"{'left-out':>10}   {'nDCG@10 whoosh':>15}{'fts5':>7}{'ours':>7}"
    )
    lines = [head]
    for name, row in answer["collections"].items():
        w, f, o = row["whoosh"], row["fts5"], row["ours"]
        lines.append(
            f"{name:<11}{o['queries']:>8}  {w['map']:>11.3f}{f['map']:>7.3f}{o['map']:>7.3f}"
            f"{row['left_out']['map']:>10.3f}   {w['ndcg@10']:>15.3f}{f['ndcg@10']:>7.3f}"
            f"{o['ndcg@10']:>7.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    answer = run(load_collections())
    seconds = time.perf_counter() - started
    print(table(answer))
    below = [
        name
        for name, row in answer["collections"].items()
        if row["left_out"]["map"] < row["fts5"]["map"]
    ]
    print(
        f"({seconds:.0f} s; MAP at depth {DEPTH}, binary relevance; left-out: settings chosen "
        f"on the other five; below FTS5 left out: {', '.join(below) or 'none'})"
    )
    picked = GRID[answer["picked_on_all_six"]]
    if not answer["shipped_is_picked"]:
        print(f"NOTE: the selection on all six picks {_diff(picked)}, not the shipped settings")
    if not all(row["ours"]["engine_path_agrees"] for row in answer["collections"].values()):
        print("NOTE: the grid's ranking path disagrees with Archive.search")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    payload = {"depth": DEPTH, "settings": ranking.settings(), "seconds": round(seconds, 1)}
    args.json.write_text(json.dumps({**payload, **answer}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
