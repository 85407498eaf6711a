"""Training tokens for the tagger from the hand-annotated Wikinews training split.

    python eval/wikinews_train.py [--out eval/wikinews-train.conll]
    python eval/wikinews_train.py --text eval/.cache/wikinews-train.jsonl

`eval/wikinews-train.jsonl` lists, per demo article of the training split, the
strings an annotator marked as person, organization, place and misc (CoNLL-2003
guidelines, `eval/ANNOTATION.md`). This writes them as CoNLL tokens: each
article's title and body cleaned and cut exactly as `extract_entities` does
(`furniture.clean_text`, then `tokenize.sentences`), so the tagger trains on the
tokens it will see, and every occurrence of a marked string is tagged, longest
first (IOB2). A marked string that the article never contains is an error, not
a silent no-op. The held-out set (`eval/wikinews-gold.jsonl`) is never read
here, and an id in both files is refused.

`--text` writes the training split's demo articles instead, as the demo ships them
(JSONL, the demo's order): the text the word clusters are built from beside `eng.train`,
so that the held-out articles' text is no part of them either.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.entities.furniture import clean_text  # noqa: E402
from index.entities.tokenize import sentences, tokenize  # noqa: E402

DEMO = ROOT / "index" / "demo" / "wikinews-en.jsonl.gz"
TRAIN = ROOT / "eval" / "wikinews-train.jsonl"
HELD_OUT = ROOT / "eval" / "wikinews-gold.jsonl"
OUT = ROOT / "eval" / "wikinews-train.conll"
TAGS = {"person": "PER", "organization": "ORG", "place": "LOC", "misc": "MISC"}

Sentence = list[tuple[str, str]]  # (word, IOB2 tag)


def _ids(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line)["id"] for line in handle if line.strip()]


def load_annotations(path: Path = TRAIN) -> list[dict]:
    """The training split's rows; refuses any article of the held-out set."""
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    overlap = {row["id"] for row in rows} & set(_ids(HELD_OUT))
    if overlap:
        raise ValueError(f"held-out articles in the training split: {sorted(overlap)}")
    return rows


def demo_texts() -> dict[str, str]:
    """Demo article id -> its text as extraction sees it (title, blank line, body; cleaned)."""
    with gzip.open(DEMO, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return {row["id"]: clean_text(f"{row['title']}\n\n{row['body']}") for row in rows}


def tag_article(text: str, marked: dict[str, list[str]]) -> tuple[list[Sentence], set[str]]:
    """The article's sentences with every marked string tagged; and the strings never found."""
    patterns = sorted(
        (
            (tuple(t.text for t in tokenize(value)), TAGS[kind])
            for kind in TAGS
            for value in marked.get(kind) or []
        ),
        key=lambda p: -len(p[0]),
    )
    found: set[tuple[str, ...]] = set()
    out = []
    for sent in sentences(text):
        words = [t.text for t in sent]
        tags = ["O"] * len(words)
        for pattern, tag in patterns:
            n = len(pattern)
            for i in range(len(words) - n + 1):
                if tuple(words[i : i + n]) == pattern and all(t == "O" for t in tags[i : i + n]):
                    tags[i : i + n] = [f"B-{tag}"] + [f"I-{tag}"] * (n - 1)
                    found.add(pattern)
        out.append(list(zip(words, tags, strict=True)))
    missing = {" ".join(p) for p, _ in patterns if p not in found}
    return out, missing


def build(out: Path = OUT) -> dict[str, int]:
    """Write the CoNLL file; returns counts (articles, sentences, tokens, entities)."""
    return write_conll(load_annotations(), demo_texts(), out)


def write_conll(rows: list[dict], texts: dict[str, str], out: Path) -> dict[str, int]:
    """Each annotated row's text (`texts[row["id"]]`, cleaned) as one CoNLL document with its
    marked strings tagged; refuses a row whose strings are not in its text."""
    counts = {"articles": 0, "sentences": 0, "tokens": 0, "entities": 0}
    errors = []
    lines = []
    for row in rows:
        sents, missing = tag_article(texts[row["id"]], row)
        if missing:
            errors.append(f"{row['id']}: not in the text: {sorted(missing)}")
        lines += [f"-DOCSTART- {row['id']}", ""]
        for sent in sents:
            lines += [f"{word} {tag}" for word, tag in sent] + [""]
            counts["tokens"] += len(sent)
            counts["entities"] += sum(tag.startswith("B-") for _, tag in sent)
        counts["articles"] += 1
        counts["sentences"] += len(sents)
    if errors:
        raise ValueError("\n".join(errors))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return counts


def write_text(out: Path) -> int:
    """The training split's demo records, unchanged and in the demo's order; returns how many."""
    training = {row["id"] for row in load_annotations()}
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with (
        gzip.open(DEMO, "rt", encoding="utf-8") as source,
        open(out, "w", encoding="utf-8") as sink,
    ):
        for line in source:
            if json.loads(line)["id"] in training:
                sink.write(line.rstrip("\n") + "\n")
                n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--text", help="write the training articles' text (JSONL) here instead")
    args = parser.parse_args(argv)
    if args.text:
        print(f"{write_text(Path(args.text))} training articles -> {args.text}")
        return 0
    return report(lambda: build(Path(args.out)), args.out)


def report(build_file: Callable[[], dict[str, int]], out: object) -> int:
    """Run a CoNLL build; print its counts, or the annotation errors (exit status 1)."""
    try:
        counts = build_file()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    print(", ".join(f"{n:,} {name}" for name, n in counts.items()), "->", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
