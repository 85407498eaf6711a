"""Training tokens from hand-annotated AG News items: web news from other sites than Wikinews.

    python eval/agnews_train.py [--out eval/.cache/agnews-train.conll]

`eval/agnews-train.jsonl` lists, per item of the AG News test split
(`../shared/corpora/ag-news-test.jsonl.gz`: 2004 news titles and first paragraphs from
many sites, credits such as "(AP)" and "Reuters -" included), the strings annotators
marked as person, organization, place and misc under `eval/ANNOTATION.md`. This writes
them as CoNLL tokens exactly as `eval/wikinews_train.py` does for the demo's articles
(text cleaned and cut as `extract_entities` does, every occurrence tagged, one
`-DOCSTART-` per item). The CoNLL file holds AG News text, which may not ship (research,
non-commercial), so it goes to `eval/.cache`; the model trained on it ships, as the one
trained on CoNLL-2003's Reuters text does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir  # noqa: E402
from eval.wikinews_train import report, write_conll  # noqa: E402
from index.entities.furniture import clean_text  # noqa: E402

ANNOTATIONS = ROOT / "eval" / "agnews-train.jsonl"
OUT = ROOT / "eval" / ".cache" / "agnews-train.conll"


def agnews_texts(ids: set[str]) -> dict[str, str]:
    """AG News item id -> its text as extraction sees it (title, blank line, body; cleaned)."""
    path = corpora_dir() / "ag-news-test.jsonl.gz"
    texts = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] in ids:
                texts[row["id"]] = clean_text(f"{row['title']}\n\n{row['body']}")
    unknown = ids - texts.keys()
    if unknown:
        raise ValueError(f"{path}: no such items: {sorted(unknown)[:5]}")
    return texts


def build(out: Path = OUT, annotations: Path = ANNOTATIONS) -> dict[str, int]:
    """Write the CoNLL file; returns counts (articles, sentences, tokens, entities)."""
    with open(annotations, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_conll(rows, agnews_texts({row["id"] for row in rows}), out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    args = parser.parse_args(argv)
    return report(lambda: build(args.out, args.annotations), args.out)


if __name__ == "__main__":
    sys.exit(main())
