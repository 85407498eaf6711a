"""Shared fixtures: the research corpora, a small real index, `app` and `client`.

`corpora` is the one way a test finds `../shared/corpora` (or
`ARCHIVE_SEARCH_CORPORA`): it skips with one reason when they are absent, except
under `CI=true`, where a missing corpus fails. The small web index is built
once per session with the real writer from ~20 Wikinews demo articles (spread over
the archive's years) plus a few hand-made ones: Belarus
analysis pieces for facets, and one carrying an XSS payload in its title, body
and URL that every page must show as text.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

import pytest

from index.readers import Parsed, read_path
from index.records import article_from_dict
from index.writer import ingest
from web import create_app

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "index" / "demo" / "wikinews-en.jsonl.gz"
CORPORA = Path(os.environ.get("ARCHIVE_SEARCH_CORPORA") or ROOT.parent / "shared" / "corpora")
XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_BODY = "<script>alert(1)</script>"
XSS_ID = "xss-1"

HAND_MADE: list[dict[str, Any]] = [
    {
        "id": XSS_ID,
        "url": "javascript:alert(1)",
        "title": f"{XSS_TITLE} Minsk security review",
        "date": "2017-06-19T12:17:00",
        "body": f"{XSS_BODY}\n\nMinsk hosted a security review of the CSTO.\n\n"
        "Lukashenka spoke about Russia.",
        "category": "Analysis",
        "tags": ["security"],
        "entities": {
            "person": ["Alexander Lukashenka"],
            "organization": ["CSTO"],
            "place": ["Minsk", "Russia"],
        },
        "credit": "Photo: <b>Belta</b>",
        "source": "test",
        "language": "en",
    },
    {
        "id": "belarus-1",
        "url": "https://example.org/belarus-1",
        "title": "Lukashenka meets the CSTO in Minsk",
        "date": "2017-09-01T10:00:00",
        "body": "Alexander Lukashenka met CSTO officials in Minsk on Friday.\n\n"
        "Russia and Belarus discussed the joint exercises.",
        "category": "Analysis",
        "tags": ["security", "defence"],
        "entities": {
            "person": ["Alexander Lukashenka"],
            "organization": ["CSTO"],
            "place": ["Minsk", "Russia"],
        },
        "source": "test",
    },
    {
        "id": "belarus-2",
        "url": "https://example.org/belarus-2",
        "title": "Belarus economy after the elections",
        "date": "2018-03-10T09:00:00",
        "body": "The Belarusian economy grew slowly.\n\nMinsk hopes for Russian loans.",
        "category": "Economy",
        "tags": ["economy"],
        "entities": {
            "person": ["Alexander Lukashenka"],
            "organization": ["IMF"],
            "place": ["Minsk"],
        },
        "source": "test",
    },
    {
        "id": "undated-1",
        "title": "An undated note on Minsk",
        "body": "Minsk, with no date at all.",
        "source": "test",
    },
]


def demo_items(count: int = 20) -> list[Parsed]:
    """Every n-th demo article, so the sample spans the demo's years."""
    items = [p for p in read_path(str(DEMO)) if isinstance(p, Parsed)]
    step = max(1, len(items) // count)
    return list(itertools.islice(items[::step], count))


def build_index(path: Path) -> Path:
    items = demo_items() + [
        Parsed(f"test:{i}", article_from_dict(data)) for i, data in enumerate(HAND_MADE)
    ]
    report = ingest(path, items, extract=True)
    assert report.ok, report.failed
    return path


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("web") / "index")


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole shipped demo archive (293 Wikinews articles), entities extracted."""
    path = tmp_path_factory.mktemp("demo") / "index"
    report = ingest(path, read_path(str(DEMO)), extract=True)
    assert report.ok and report.added == 293, report.summary()
    return path


@pytest.fixture
def hand_made() -> list[dict[str, Any]]:
    """Copies of the hand-made records, for tests that build their own small index."""
    return [dict(record) for record in HAND_MADE]


@pytest.fixture
def make_app(web_index: Path):
    """create_app with the test index, rate limiting off unless a test turns it on."""

    def make(**config: Any):
        settings = {"INDEX_DIR": web_index, "RATE_LIMIT": "off", "TESTING": True}
        settings.update(config)
        return create_app(settings)

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The research corpora folder; each test then asserts it read the articles it expects."""
    if (CORPORA / "README.md").is_file():
        return CORPORA
    reason = f"research corpora not found at {CORPORA} (set ARCHIVE_SEARCH_CORPORA)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)
