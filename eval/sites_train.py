"""Training tokens from hand-annotated news of other sites than Wikinews: AG News, BBC News.

    python eval/sites_train.py agnews [--out eval/.cache/agnews-train.conll]
    python eval/sites_train.py bbc [--out eval/.cache/bbc-train.conll]

`eval/agnews-train.jsonl` lists, per item of the AG News test split (2004 news titles and
first paragraphs from many sites, credits such as "(AP)" and "Reuters -" included), and
`eval/bbc-train.jsonl` per BBC News article (2004-05, whole articles), the strings
annotators marked as person, organization, place and misc under `eval/ANNOTATION.md`.
This writes them as CoNLL tokens exactly as `eval/wikinews_train.py` does for the demo's
articles (text cleaned and cut as `extract_entities` does, every occurrence tagged, one
`-DOCSTART-` per article). The CoNLL files hold the corpora's text, which may not ship
(research use), so they go to `eval/.cache`; the model trained on them ships, as the one
trained on CoNLL-2003's Reuters text does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir  # noqa: E402
from eval.wikinews_train import report, write_conll  # noqa: E402
from index.entities.furniture import clean_text  # noqa: E402


class Site(NamedTuple):
    annotations: Path
    corpus: str  # its file in ../shared/corpora
    out: Path


SITES = {
    name: Site(
        ROOT / "eval" / f"{name}-train.jsonl",
        corpus,
        ROOT / "eval" / ".cache" / f"{name}-train.conll",
    )
    for name, corpus in (("agnews", "ag-news-test.jsonl.gz"), ("bbc", "bbc.jsonl.gz"))
}


def corpus_texts(corpus: str, ids: set[str]) -> dict[str, str]:
    """Article id -> its text as extraction sees it (title, blank line, body; cleaned)."""
    path = corpora_dir() / corpus
    texts = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] in ids:
                texts[row["id"]] = clean_text(f"{row['title']}\n\n{row['body']}")
    unknown = ids - texts.keys()
    if unknown:
        raise ValueError(f"{path}: no such articles: {sorted(unknown)[:5]}")
    return texts


def build(site: str, out: Path | None = None, annotations: Path | None = None) -> dict[str, int]:
    """Write the site's CoNLL file; returns counts (articles, sentences, tokens, entities)."""
    chosen = SITES[site]
    with open(annotations or chosen.annotations, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    out = out or chosen.out
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_conll(rows, corpus_texts(chosen.corpus, {row["id"] for row in rows}), out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", choices=sorted(SITES))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--annotations", type=Path)
    args = parser.parse_args(argv)
    out = args.out or SITES[args.site].out
    return report(lambda: build(args.site, out, args.annotations), out)


if __name__ == "__main__":
    sys.exit(main())
