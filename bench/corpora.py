"""Where the bench/ and eval/ scripts find the research corpora: `ARCHIVE_SEARCH_CORPORA`,
else `../shared/corpora` beside the repository (the tests use the `corpora` fixture)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpora_dir() -> Path:
    """The corpora folder; exits with the reason when it is missing."""
    path = Path(os.environ.get("ARCHIVE_SEARCH_CORPORA") or ROOT.parent / "shared" / "corpora")
    if not (path / "README.md").is_file():
        raise SystemExit(f"research corpora not found at {path} (set ARCHIVE_SEARCH_CORPORA)")
    return path


def seed_page() -> Path:
    """The first archive's scraped page, kept beside the corpora (it may be absent)."""
    return corpora_dir().parent / "seeds" / "000_40f254e5605143fe.txt"
