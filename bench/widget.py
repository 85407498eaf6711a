"""The instant widget in a real browser: from the last keystroke to the results in its list.

    python bench/widget.py [--json OUT] [--queries 20] [--delay-ms 120] [--baseline-ref REF]

Serves the ~50k-article bench index (bench/search.py builds and caches it) with
`archive-search serve` (2 workers, the default rate limit), opens its /embed page in
Debian's Chromium (Playwright) and types a session of queries one key every 120 ms
(Escape between queries). Per query: the time from the last keystroke's `input` event
to the last change of the widget's list and status (its results for the whole text).
Also counted: requests, 429 answers, the most requests in flight at once, and lists
shown for text other than what the input held (stale). The baseline, in the same run
on the same server and queries: the widget as it was at `--baseline-ref` (served in
place of /widget.js). Prints p50/p95 for both and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.search import build_index  # noqa: E402
from bench.serving import chromium, running_server  # noqa: E402
from search import Archive  # noqa: E402
from search.schema import unpack_record  # noqa: E402
from web.settings import SETTINGS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BASELINE_REF = "2721786"  # main before the instant widget: 200 ms debounce, whole words only
SETTLE_MS = 700  # no change for this long: the widget has settled on its answer
WATCH = """() => {
  const el = document.querySelector('archive-search');
  const root = el.shadowRoot;
  const input = root.querySelector('input');
  const marks = (window.__marks = { inputs: [], changes: [], events: [], inflight: 0, most: 0 });
  input.addEventListener('input', () => marks.inputs.push([performance.now(), input.value]));
  new MutationObserver(() => marks.changes.push(performance.now())).observe(
    root.querySelector('[role=listbox]'), { childList: true, subtree: true, attributes: true });
  new MutationObserver(() => marks.changes.push(performance.now())).observe(
    root.querySelector('[role=status]'), { childList: true, characterData: true, subtree: true });
  el.addEventListener('archive-search:results', (e) =>
    marks.events.push([performance.now(), e.detail.query, input.value.trim()]));
}"""


def session_queries(archive: Archive, count: int, seed: int = 15) -> list[str]:
    """ "zimbabwe", then one or two title words of seeded random articles, lower-cased."""
    rng = random.Random(seed)
    gen = archive._current()
    live = [int(d) for d in gen.live.nonzero()[0]]
    out = ["zimbabwe"]
    while len(out) < count:
        title = unpack_record(gen.searcher.stored_fields(rng.choice(live))["record"]).get("title")
        words = [w.lower() for w in re.findall(r"[A-Za-z]{4,}", title or "")]
        if len(words) < 2:
            continue
        start = rng.randrange(len(words) - 1)
        query = " ".join(words[start : start + rng.choice((1, 1, 2))])
        if query not in out:
            out.append(query)
    return out


def type_session(page, base: str, queries: list[str], delay_ms: int) -> dict:
    """Type every query into the widget on /embed; latencies and what the network saw."""
    seen = {"requests": 0, "429": 0, "inflight": 0, "most_inflight": 0}

    def started(request) -> None:
        if "/api/search" in request.url:
            seen["requests"] += 1
            seen["inflight"] += 1
            seen["most_inflight"] = max(seen["most_inflight"], seen["inflight"])

    def ended(request) -> None:
        if "/api/search" in request.url:
            seen["inflight"] -= 1

    def answered(response) -> None:
        if "/api/search" in response.url and response.status == 429:
            seen["429"] += 1

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)  # aborted by the widget
    page.on("response", answered)
    page.goto(f"{base}/embed")
    page.wait_for_function("customElements.get('archive-search') !== undefined")
    page.evaluate(WATCH)
    box = page.locator("archive-search input")
    latencies, stale, events = [], 0, 0
    for query in queries:
        box.press_sequentially(query, delay=delay_ms)
        page.wait_for_function(
            f"""() => __marks.changes.some(t => t >= __marks.inputs.at(-1)[0])
                && performance.now() - Math.max(...__marks.changes) > {SETTLE_MS}""",
            timeout=15_000,
        )
        marks = page.evaluate("__marks")
        last_key = max(t for t, value in marks["inputs"] if value == query)
        after = [t for t in marks["changes"] if t >= last_key]
        latencies.append(round(max(after) - last_key, 1) if after else None)
        stale += sum(1 for _, shown, typed in marks["events"] if shown != typed)
        events += len(marks["events"])
        page.evaluate("__marks.inputs = []; __marks.changes = []; __marks.events = []")
        box.press("Escape")
        page.wait_for_timeout(200)
    done = [x for x in latencies if x is not None]
    return {
        "latencies_ms": latencies,
        "p50_ms": round(statistics.median(done), 1),
        "p95_ms": round(statistics.quantiles(done, n=20, method="inclusive")[18], 1),
        "requests": seen["requests"],
        "responses_429": seen["429"],
        "most_in_flight": seen["most_inflight"],
        "stale_lists": stale if events else None,  # None: that widget sends no events
        "unanswered": len(latencies) - len(done),
    }


def warm_up(base: str, queries: list[str]) -> None:
    """Each worker loads the generation arrays (seconds on 50k articles) before timing starts."""
    for query in queries * 2:
        url = f"{base}/api/search?" + urllib.parse.urlencode({"q": query[:4], "partial": 1})
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()


def baseline_script(ref: str) -> str | None:
    try:
        return subprocess.run(
            ["git", "show", f"{ref}:web/static/widget.js"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None


def serve_text(script: str):
    """A Playwright route handler answering with `script` in place of /widget.js."""

    def fulfill(route) -> None:
        route.fulfill(body=script, content_type="text/javascript")

    return fulfill


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "widget.json"))
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--delay-ms", type=int, default=120, help="between keystrokes")
    parser.add_argument("--baseline-ref", default=BASELINE_REF, help="git ref of the baseline")
    args = parser.parse_args(argv)
    index = build_index()
    queries = session_queries(Archive(index), args.queries)
    rate = next(s.default for s in SETTINGS if s.name == "RATE_LIMIT")
    old = baseline_script(args.baseline_ref)
    results: dict = {"queries": queries, "delay_ms": args.delay_ms, "rate_limit": rate}
    with tempfile.TemporaryDirectory() as tmp:
        env = {"ARCHIVE_SEARCH_RATE_LIMIT": rate,
               "ARCHIVE_SEARCH_ANALYTICS_DB": str(Path(tmp) / "analytics.sqlite")}  # fmt: skip
        with (
            running_server(index, Path(tmp) / "serve.log", workers=2, **env) as base,
            chromium() as browser,
        ):
            warm_up(base, queries[:4])
            runs = [("widget", None)] + ([("baseline", old)] if old else [])
            for name, script in runs:
                context = browser.new_context()
                page = context.new_page()
                if script is not None:
                    page.route(f"{base}/widget.js", serve_text(script))
                results[name] = type_session(page, base, queries, args.delay_ms)
                context.close()
    if not old:
        print(f"no baseline: git could not show {args.baseline_ref}:web/static/widget.js")
    print(f"{len(queries)} queries, one key every {args.delay_ms} ms; rate limit {rate}")
    print(f"{'widget':>10} {'p50 ms':>8} {'p95 ms':>8} {'requests':>9} {'429s':>5} "
          f"{'in flight':>9} {'stale':>6}")  # fmt: skip
    for name in ("widget", "baseline"):
        if name in results:
            r = results[name]
            stale = "n/a" if r["stale_lists"] is None else r["stale_lists"]
            print(f"{name:>10} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['requests']:>9} "
                  f"{r['responses_429']:>5} {r['most_in_flight']:>9} {stale:>6}")  # fmt: skip
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
