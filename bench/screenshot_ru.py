"""docs/screenshot-ru.png: a Russian search page on a mixed archive.

The archive is the English demo plus the factRuEval-2016 devset texts whose first line (the
title) is short enough for a results list (../shared/corpora/factrueval-dev, MIT licence).
The page is asked for with `Accept-Language: ru`, as a Russian reader's browser would.

    python bench/screenshot_ru.py [QUERY]    # default query: Москва
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import serving  # noqa: E402
from bench.corpora import corpora_dir  # noqa: E402
from index.readers import Parsed, read_path  # noqa: E402
from index.records import article_from_dict  # noqa: E402
from index.writer import ingest  # noqa: E402

DEMO = ROOT / "index" / "demo" / "wikinews-en.jsonl.gz"
OUT = ROOT / "docs" / "screenshot-ru.png"
MAX_TITLE = 120


def russian_articles(folder: Path) -> list[Parsed]:
    items = []
    for path in sorted(folder.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
        if len(title) <= MAX_TITLE and body.strip():
            record = {"id": f"factrueval-{path.stem}", "title": title.strip(), "body": body}
            items.append(Parsed(str(path), article_from_dict({**record, "language": "ru"})))
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("query", nargs="?", default="Москва")
    args = parser.parse_args()
    russian = russian_articles(corpora_dir() / "factrueval-dev")
    print(f"{len(russian)} Russian articles from factrueval-dev")
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        assert ingest(index, read_path(str(DEMO)), extract=True).ok
        assert ingest(index, russian, extract=True).ok
        log = Path(tmp) / "server.log"
        with serving.running_server(index, log, workers=1) as base, serving.chromium() as browser:
            page = browser.new_page(
                viewport={"width": 1200, "height": 900},
                extra_http_headers={"Accept-Language": "ru-RU,ru;q=0.9"},
            )
            page.goto(f"{base}/?{urlencode({'q': args.query})}")
            print(page.locator(".summary").inner_text())
            page.screenshot(path=str(OUT))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
