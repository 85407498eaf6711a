"""docs/screenshot-trends.png: the Recent trends page of the Wikinews demo archive.

The archive is the whole demo (entities extracted), so the picture shows real rising values;
tests/test_trends_browser.py checks the same page without touching the picture.

    python bench/screenshot_trends.py [DAYS]    # default window: 90 days
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import serving  # noqa: E402
from index.readers import read_path  # noqa: E402
from index.writer import ingest  # noqa: E402

DEMO = ROOT / "index" / "demo" / "wikinews-en.jsonl.gz"
OUT = ROOT / "docs" / "screenshot-trends.png"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("days", nargs="?", type=int, default=90)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        assert ingest(index, read_path(str(DEMO)), extract=True).ok
        log = Path(tmp) / "server.log"
        with serving.running_server(index, log, workers=1) as base, serving.chromium() as browser:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{base}/trends?days={args.days}")
            page.screenshot(path=str(OUT), full_page=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
