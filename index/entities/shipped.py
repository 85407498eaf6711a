"""Tables that ship beside the entity model (word clusters, name lists).

The model's features mean nothing without them, so a missing file is an error
that says how to rebuild it, never an empty table: features would silently
stop firing and quality would drop without a word.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def read_table(file: Path, what: str, rebuild: str, comment: str = "") -> Iterator[list[str]]:
    """The tab-separated rows of `file`, less lines starting with `comment` (if given: "#"
    is a word in the clusters file)."""
    if not file.is_file():
        raise FileNotFoundError(
            f"{what} {file} are missing (they ship with the entity model); rebuild them with "
            f"`{rebuild}`"
        )
    with open(file, encoding="utf-8") as handle:
        for line in handle:
            if not (comment and line.startswith(comment)):
                yield line.rstrip("\n").split("\t")
