"""Top-50 entity facet values per corpus, and the share a hand audit judged right.

    python eval/facets.py [--corpus demo reuters bbc 20ng] [--json OUT] [--index-root DIR]

Each corpus is ingested with extraction on into a fresh index (Reuters' gold
`entities` are dropped first, so only extracted values are counted), and the
person, organization and place facets are read through `Archive.search` with
facet_size 50: exactly what a reader sees. Every value is looked up in the
hand-checked lists `eval/audit/<corpus>-<facet>.tsv` (value, verdict, reason,
its count in the top 50 before and after the entity work of issue 14); values
not yet judged are printed so they can be audited.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.readers import Parsed, read_path  # noqa: E402
from index.writer import ingest  # noqa: E402
from search.archive import Archive  # noqa: E402

FACETS = ("person", "organization", "place")
AUDIT = ROOT / "eval" / "audit"
TOP = 50


def corpora_dir() -> Path:
    return Path(os.environ.get("ARCHIVE_SEARCH_CORPORA") or ROOT.parent / "shared" / "corpora")


CORPORA = {
    "demo": lambda: ROOT / "index" / "demo" / "wikinews-en.jsonl.gz",
    "reuters": lambda: corpora_dir() / "reuters21578.jsonl.gz",
    "bbc": lambda: corpora_dir() / "bbc.jsonl.gz",
    "20ng": lambda: corpora_dir() / "20newsgroups.jsonl.gz",
}


def _without_given_entities(items):
    """Gold/curated entities dropped: the audit judges what extraction produces."""
    for item in items:
        if isinstance(item, Parsed):
            article = dataclasses.replace(item.article, entities={})
            item = dataclasses.replace(item, article=article)
        yield item


def top_values(corpus: str, index_dir: Path, count: bool = False):
    """Build the corpus's index with extraction and read its top-50 entity facets.

    With `count`, also the number of articles indexed: (tops, articles).
    """
    ingest(index_dir, _without_given_entities(read_path(str(CORPORA[corpus]()))), extract=True)
    archive = Archive(index_dir)
    try:
        found = archive.search("", facet_size=TOP, per_page=1)
    finally:
        archive.close()
    tops = {
        f: [{"value": v["value"], "count": v["count"]} for v in found["facets"][f]] for f in FACETS
    }
    return (tops, found["total"]) if count else tops


class Verdict(NamedTuple):
    """One audited value: right or wrong, why, and its counts in the two measured top 50s."""

    verdict: str
    reason: str
    before: str
    after: str


def read_audit(corpus: str, facet: str) -> dict[str, Verdict]:
    """value (casefolded) -> its row in the committed hand audit."""
    path = AUDIT / f"{corpus}-{facet}.tsv"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        next(rows, None)
        return {r[0].casefold(): Verdict(*(r + [""] * 5)[1:5]) for r in rows if r}


def judge(corpus: str, tops: dict[str, list[dict]]) -> dict:
    """Per facet: share judged right, the wrong values and the values not yet judged."""
    out = {}
    for facet, values in tops.items():
        audit = read_audit(corpus, facet)
        verdicts = [
            audit[v["value"].casefold()].verdict if v["value"].casefold() in audit else "?"
            for v in values
        ]
        before = [row.verdict for row in audit.values() if row.before]
        out[facet] = {
            "before_right": before.count("right") if before else None,
            "before_values": len(before),
            "values": len(values),
            "right": verdicts.count("right"),
            "share_right": round(verdicts.count("right") / len(values), 3) if values else None,
            "wrong": [v["value"] for v, j in zip(values, verdicts, strict=True) if j == "wrong"],
            "unjudged": [v["value"] for v, j in zip(values, verdicts, strict=True) if j == "?"],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", nargs="+", default=list(CORPORA), choices=list(CORPORA))
    parser.add_argument("--json", default=str(ROOT / "eval" / "results" / "facets.json"))
    parser.add_argument("--index-root", help="keep the built indexes here (default: temporary)")
    args = parser.parse_args(argv)

    report = {}
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.index_root or tmp)
        for corpus in args.corpus:
            tops = top_values(corpus, root / corpus)
            report[corpus] = {"top": tops, "audit": judge(corpus, tops)}
            for facet, a in report[corpus]["audit"].items():
                share = "n/a" if a["share_right"] is None else f"{a['share_right']:.2f}"
                was = (
                    f"before {a['before_right']}/{a['before_values']}, "
                    if a["before_values"]
                    else ""
                )
                print(
                    f"{corpus:8} {facet:12} {was}now right {a['right']:2}/{a['values']:2} ({share})"
                    f"  wrong: {', '.join(a['wrong']) or '-'}"
                    + (f"  UNJUDGED: {len(a['unjudged'])}" if a["unjudged"] else "")
                )
            text = json.dumps(report, indent=2, ensure_ascii=False)
            out.write_text(text + "\n", encoding="utf-8")  # after each corpus: a long run
    print(f"results -> {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
