"""Shared fixtures: what lies outside the repository, a small real index, `app` and `client`,
a live server, a browser, and the generated archive with a known spike.

Outside the repository: `corpora` is the one way a test finds the research corpora
(`ARCHIVE_SEARCH_CORPORA`, else `../shared/corpora`), `corpus_rows` reads one of its files
(checking the count); `browser` is Debian's Chromium (`ARCHIVE_SEARCH_CHROMIUM`, else
/usr/bin/chromium) driven by Playwright; `require_binary` finds any other program a test needs:

    def test_behind_haproxy(require_binary):
        haproxy = require_binary("haproxy")  # its path

Each skips with one reason when what it needs is absent, except under `CI=true`, where that
fails: `.ci/run` installs every one of them. A corpus test first asserts it read the number of
articles it expects, so a missing or truncated file never passes by comparing zeros.

The small web index is built once per session with the real writer from ~20 Wikinews demo
articles (spread over the archive's years) plus a few hand-made ones: Belarus analysis pieces
for facets, and one carrying an XSS payload in its title, body and URL that every page must
show as text. `running_server` starts `archive-search serve` (gunicorn) on a free 127.0.0.1
port and `running_nginx` puts docs/DEPLOY.md's nginx in front of it (both from
bench/serving.py, which the bench scripts use too); `gen` is one article a day through 2020
with a known rising value.

`make test` runs modules on several pytest-xdist workers, each with its own session: an index
that tests only read and that several modules need is built once per run for all of them with
`built_once` (`demo_index` is); anything a test writes lives under its own tmp_path.
"""

from __future__ import annotations

import fcntl
import gzip
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bench import serving
from index.readers import Parsed, read_path
from index.records import article_from_dict
from index.writer import ingest
from web import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "index" / "demo" / "wikinews-en.jsonl.gz"
CORPORA = Path(os.environ.get("ARCHIVE_SEARCH_CORPORA") or ROOT.parent / "shared" / "corpora")
CORPUS_SIZES = {  # articles in each corpus file, from ../shared/corpora/README.md
    "reuters21578": 20_841,
    "bbc": 2_225,
    "wikinews-en": 293,
    "20newsgroups": 18_846,
    "ag-news-test": 7_600,
}
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
        "credit": "<b>Belta</b>",
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
def demo() -> list[Parsed]:
    """Every article of the shipped demo archive, read once (all 293 of them)."""
    items = [p for p in read_path(str(DEMO)) if isinstance(p, Parsed)]
    assert len(items) == 293
    return items


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("web") / "index")


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """`build(folder)` once per test run, however many pytest-xdist workers ask: the first
    builds under a file lock, into a scratch folder renamed into place when complete; the others
    wait, then reuse it. Only for what every test merely reads."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, shared by its workers
    path = root / "built-once" / name
    path.parent.mkdir(exist_ok=True)
    with (path.parent / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not path.exists():
            scratch = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=path.parent))
            try:
                build(scratch)
            except BaseException:
                shutil.rmtree(scratch, ignore_errors=True)
                raise
            scratch.rename(path)
    return path


def build_demo(folder: Path) -> None:
    report = ingest(folder / "index", read_path(str(DEMO)), extract=True)
    assert report.ok and report.added == 293, report.summary()


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole shipped demo archive (293 Wikinews articles), entities extracted; built once
    per run (`built_once`), so tests only read it."""
    return built_once(tmp_path_factory, "demo", build_demo) / "index"


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules holding a slow test run first, each module's tests kept together and in order.
    `make test` hands whole modules to its pytest-xdist workers in this order
    (`--dist loadfile --no-loadscope-reorder`): the long ones start at once while the short ones
    fill the other workers, instead of one long module running alone at the end."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)  # stable: the order within each group


def missing(reason: str) -> None:
    """Skip for want of something outside the repository; under CI=true, fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The research corpora folder; each test then asserts it read the articles it expects."""
    if not (CORPORA / "README.md").is_file():
        missing(f"research corpora not found at {CORPORA} (set ARCHIVE_SEARCH_CORPORA)")
    return CORPORA


@pytest.fixture(scope="session")
def corpus_rows(corpora: Path) -> Callable[..., list[dict[str, Any]]]:
    """`corpus_rows("reuters21578", 1200)`: the first 1200 records of that corpus file (all of
    it without a count), failing unless exactly that many (or CORPUS_SIZES[name]) were read."""

    def read(name: str, count: int | None = None) -> list[dict[str, Any]]:
        with gzip.open(corpora / f"{name}.jsonl.gz", "rt", encoding="utf-8") as lines:
            rows = [json.loads(line) for line in itertools.islice(lines, count)]
        expected = CORPUS_SIZES[name] if count is None else count
        assert len(rows) == expected, f"read {len(rows)} articles from {name}, not {expected}"
        return rows

    return read


@pytest.fixture(scope="session")
def require_binary() -> Callable[[str], str]:
    """`require_binary("nginx")` is the program's path; skips (fails under CI) when absent."""

    def find(name: str) -> str:
        found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
        if found is None:
            missing(f"{name} not installed (`apt-get install -y {name}`)")
        return found

    return find


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A function answering a free TCP port on 127.0.0.1 (never a fixed one)."""
    return serving.free_port


# What pages show is under test, not the query time limit (tests/test_hostile_web.py and
# `make soak` test that): on a loaded 2-core machine a page's searches could run out of the
# default 2 s and show "0 results — timed out" (seen once in CI, 2026-12-05).
_SERVER_QUERY_TIME_LIMIT = "30"


@pytest.fixture(scope="session")
def running_server():
    """`with running_server(index, log, workers=2, **env) as base_url:` runs
    `python -m web.cli serve` (gunicorn) on a free port, with the rate limit off and a query
    time limit of 30 s unless `env` (extra environment variables) says otherwise; see
    bench/serving.py."""

    def start(index: Path, log: Path, workers: int = 2, **env: str):
        limit = {"ARCHIVE_SEARCH_QUERY_TIME_LIMIT": _SERVER_QUERY_TIME_LIMIT}
        return serving.running_server(index, log, workers, **{**limit, **env})

    return start


@pytest.fixture(scope="session")
def running_nginx(require_binary):
    """`with running_nginx(upstream_base_url, folder) as base_url:` nginx configured as
    docs/DEPLOY.md says, in front of a running server; see bench/serving.py."""
    require_binary("nginx")
    return serving.running_nginx


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless Chromium, one per test module: Playwright's sync API allows one running
    instance per thread. Never `playwright install`: it drives Debian's package."""
    if not serving.CHROMIUM.exists():
        missing(f"Chromium not found at {serving.CHROMIUM} (`apt-get install -y chromium`)")
    with serving.chromium() as instance:
        yield instance


@pytest.fixture(scope="session")
def recording_page():
    """`with recording_page(browser, **context_options) as page:` a page in a fresh browser
    context that dismisses every JavaScript dialog and records its message in `page.dialogs`
    (an XSS payload that runs opens one). The context is closed on exit."""

    @contextmanager
    def open_page(browser: Browser, **context_options: object) -> Iterator[Page]:
        context = browser.new_context(**context_options)
        page = context.new_page()
        page.dialogs = []  # type: ignore[attr-defined]

        def on_dialog(dialog) -> None:
            page.dialogs.append(dialog.message)  # type: ignore[attr-defined]
            dialog.dismiss()

        page.on("dialog", on_dialog)
        try:
            yield page
        finally:
            context.close()

    return open_page


@dataclass(frozen=True)
class Generated:
    """One article a day through 2020, plus undated ones: "Spike Org" is in most articles of
    the last `window` days and twice before, "Steady Corp" in every third article all year,
    "Twice Seen" twice in the last `window` days only."""

    first: date = date(2020, 1, 1)
    days: int = 366  # 2020 is a leap year: the last article is on 2020-12-31
    window: int = 30
    spike_before: frozenset[int] = frozenset({60, 150})  # the spike's two early mentions
    twice: frozenset[int] = frozenset({366 - 3, 366 - 10})
    records: list[dict[str, Any]] = field(default_factory=list)
    undated: list[dict[str, Any]] = field(default_factory=list)
    index: Path = Path()

    def record(self, i: int) -> dict[str, Any]:
        day = self.first + timedelta(days=i)
        recent = i >= self.days - self.window
        orgs = []
        if i % 3 == 0:
            orgs.append("Steady Corp")
        if (recent and i % 5 != 0) or i in self.spike_before:
            orgs.append("Spike Org")
        people = ["Everyday Person"] + (["Twice Seen"] if i in self.twice else [])
        return {
            "id": f"gen-{i}",
            "title": f"Report {i} {'alpha' if i % 2 else 'beta'}",
            "date": f"{day.isoformat()}T12:00:00",
            "body": f"Article number {i} of the generated archive.",
            "category": "Analysis" if i % 4 == 0 else "News",
            "tags": ["weekly"] if i % 7 == 0 else [],
            "entities": {"person": people, "organization": orgs, "place": ["Minsk"]},
            "source": "test",
        }


@pytest.fixture(scope="session")
def gen(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """The generated archive with a known spike, indexed once per session."""
    shape = Generated()
    records = [shape.record(i) for i in range(shape.days)]
    undated = [
        {"id": f"undated-{i}", "title": f"Undated {i} alpha", "body": "No date.", "source": "test"}
        for i in range(3)
    ]
    path = tmp_path_factory.mktemp("spike") / "index"
    items = [Parsed(f"t:{r['id']}", article_from_dict(r)) for r in records + undated]
    report = ingest(path, items, extract=False)
    assert report.ok, report.failed
    return Generated(records=records, undated=undated, index=path)
