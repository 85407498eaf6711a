"""`make attack`: hostile clients against ordinary readers, on the ~50k-article index.

    python bench/attack.py [--seconds 60] [--json OUT] [--index DIR] [--slow-clients 100]

Serves the bench index (bench/search.py builds and caches it) with
`archive-search serve --workers 2` and default settings (rate limit 600/minute,
query time limit 2 s). For `--seconds`:

* 2 attacker connections from 127.0.0.2 loop over a generated hostile set:
  fuzzy words (`governmenx~2 OR ...`), wildcards (`aa* OR ae* OR ...`) and field
  prefixes with common substrings (`organization:of OR ...`), each at every size
  the query length allows, with per_page=100, on /api/search, the search page,
  /api/timeline and /api/trends;
* 4 ordinary readers, each on its own address (127.0.0.3-127.0.0.6), send one
  ordinary query a second (bench/search.py's workload) to /api/search.

First the readers run alone for `--baseline-seconds` (this run's baseline: the machine
is shared, so absolute times only compare within one run). Then, with `--slow-clients N`
(default 100), N connections from 127.0.0.7 trickle request headers (one line a second)
for `--slow-seconds` while the 4 readers go on, once straight at gunicorn and once
through nginx configured as docs/RELIABILITY.md says (when nginx is installed).

Prints both sides' figures (readers: errors, p50/p99; attacker: answers by
status, 429s; the server's slowest request from its log) and writes JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search import body_terms, build_index, percentile, workload  # noqa: E402
from bench.serving import running_nginx, running_server  # noqa: E402
from search import Archive  # noqa: E402
from web.settings import SETTINGS  # noqa: E402

ATTACKER = "127.0.0.2"
READERS = ("127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6")
SLOW = "127.0.0.7"
MAX_Q = 1000  # ARCHIVE_SEARCH_MAX_QUERY_LENGTH's default
TIMEOUT = 30.0
# bench/serving.py turns the rate limit off for tests; the attack runs with the default.
DEFAULT_RATE_LIMIT = {s.env: s.default for s in SETTINGS if s.name == "RATE_LIMIT"}
STARTUP = 300.0  # workers build the 50k index's lexicon and suggester before serving


def _joined(items: list[str], size: int) -> str:
    """The first `size` items joined with OR, cut to what the query length allows."""
    out = ""
    for item in items[:size]:
        longer = f"{out} OR {item}" if out else item
        if len(longer) > MAX_Q:
            break
        out = longer
    return out


def hostile_paths(archive: Archive, seed: int = 12) -> list[str]:
    """The hostile set: every pattern at sizes 1, 8, 20, 40, 60 and as many as fit."""
    rng = random.Random(seed)
    gen = archive._current()
    common = [t for t, _ in sorted(body_terms(gen), key=lambda x: -x[1]) if len(t) >= 6][:400]
    fuzzy = [f"{t[:-1]}x~2" for t in rng.sample(common, 200)]
    letters = "aeioustrnm"
    wildcards = [f"{a}{b}*" for a in letters for b in letters]
    rng.shuffle(wildcards)
    values = ["of", "de", "the", "and", "a", "new", "national", "group", "inc", "al"]
    prefixes = [f"{kind}:{v}" for v in values for kind in ("organization", "person", "place")]
    queries = []
    for items in (fuzzy, wildcards, prefixes):
        for size in (1, 8, 20, 40, 60, 200):
            queries.append(_joined(items, size))
    queries.append(" ".join(fuzzy[:60])[:MAX_Q])  # the same words without OR
    paths = []
    for q in dict.fromkeys(queries):
        quoted = urllib.parse.quote(q)
        paths += [
            f"/api/search?per_page=100&q={quoted}",
            f"/?per_page=100&q={quoted}",
            f"/api/timeline?q={quoted}",
            f"/api/trends?facet=person&q={quoted}",
        ]
    return paths


def reader_paths(archive: Archive) -> list[str]:
    """Ordinary searches: bench/search.py's workload (words, pairs, phrases, filters)."""
    paths = []
    for item in workload(archive, 300):
        params = [("q", item["q"])]
        for name, values in (item.get("filters") or {}).items():
            params += [(name, value) for value in values]
        params += [(key, item[key]) for key in ("from", "to") if item.get(key)]
        paths.append("/api/search?" + urllib.parse.urlencode(params))
    return paths


def get(host: str, port: int, source: str, path: str) -> tuple[int, float]:
    """One GET from `source` (its own address); (status or -1 on a failure, seconds)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT, source_address=(source, 0))
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = -1
    finally:
        conn.close()
    return status, time.perf_counter() - started


class Side:
    """What one side (readers or attacker) saw."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.seconds: list[float] = []

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status != 429:
                self.seconds.append(seconds)

    def figures(self) -> dict:
        times = sorted(self.seconds) or [0.0]
        return {
            "requests": sum(self.statuses.values()),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": sum(v for k, v in self.statuses.items() if k != 200 and k != 429),
            "rate_limited": self.statuses.get(429, 0),
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "p99_ms": round(percentile(times, 99) * 1000, 1),
            "max_ms": round(times[-1] * 1000, 1),
        }


def readers(host: str, port: int, paths: list[str], seconds: float, side: Side) -> list:
    """4 readers, one request a second each, each from its own address."""

    def run(source: str, offset: int) -> None:
        end = time.monotonic() + seconds
        i = offset
        while time.monotonic() < end:
            tick = time.monotonic()
            side.add(*get(host, port, source, paths[i % len(paths)]))
            i += len(READERS)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))

    return [threading.Thread(target=run, args=(s, i)) for i, s in enumerate(READERS)]


def attackers(host: str, port: int, paths: list[str], seconds: float, side: Side) -> list:
    def run(offset: int) -> None:
        end = time.monotonic() + seconds
        i = offset
        while time.monotonic() < end:
            side.add(*get(host, port, ATTACKER, paths[i % len(paths)]))
            i += 1

    return [threading.Thread(target=run, args=(i * 7,)) for i in range(2)]


@contextlib.contextmanager
def attacking(host: str, port: int, paths: list[str], seconds: float) -> Iterator[dict]:
    """The attackers in a process of their own, as on another machine: their tight loop
    must not hold the readers' interpreter lock and inflate the readers' times. Yields a
    dict that holds the attacker's figures once the block ends."""

    def run(queue: multiprocessing.Queue) -> None:
        side = Side()
        run_all(attackers(host, port, paths, seconds, side))
        queue.put(side.figures())

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=run, args=(queue,))
    process.start()
    figures: dict = {}
    try:
        yield figures
        figures.update(queue.get(timeout=seconds + TIMEOUT))
    finally:
        process.join(timeout=TIMEOUT)


def slow_clients(host: str, port: int, count: int, seconds: float) -> threading.Thread:
    """`count` connections that send one header line a second and never finish."""

    def run() -> None:
        socks = []
        for _ in range(count):
            try:
                sock = socket.create_connection((host, port), timeout=5, source_address=(SLOW, 0))
                sock.sendall(b"GET /api/search?q=minsk HTTP/1.1\r\nHost: x\r\n")
                socks.append(sock)
            except OSError:
                pass
        end = time.monotonic() + seconds
        n = 0
        while time.monotonic() < end:
            time.sleep(1.0)
            n += 1
            for sock in socks:
                with contextlib.suppress(OSError):
                    sock.sendall(f"X-Slow-{n}: {'a' * 8}\r\n".encode())
        for sock in socks:
            sock.close()

    return threading.Thread(target=run)


def run_all(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def slowest_logged(log: Path) -> dict:
    """The server's own view (one JSON line per request): slowest request and 5xx count."""
    durations, server_errors = [], 0
    # Two workers write to one log: lines can interleave, so read each JSON object found.
    for found in re.finditer(r'\{"method": [^{}]*\}', log.read_text(errors="replace")):
        try:
            entry = json.loads(found.group())
        except ValueError:
            continue
        durations.append(entry["duration_ms"])
        server_errors += entry["status"] >= 500
    durations.sort()
    return {
        "requests": len(durations),
        "max_ms": durations[-1] if durations else None,
        "over_2500_ms": sum(d > 2500 for d in durations),
        "5xx": server_errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "attack.json"))
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--index", help="an index folder (default: the cached bench index)")
    parser.add_argument("--baseline-seconds", type=float, default=30)
    parser.add_argument("--slow-clients", type=int, default=100)
    parser.add_argument("--slow-seconds", type=float, default=30)
    args = parser.parse_args(argv)
    index = Path(args.index) if args.index else build_index()
    archive = Archive(index)
    hostile, ordinary = hostile_paths(archive), reader_paths(archive)
    archive.close()
    env = {**DEFAULT_RATE_LIMIT, "ARCHIVE_SEARCH_QUERY_TIME_LIMIT": "2"}
    result: dict = {"hostile_requests": len(hostile), "settings": env, "workers": 2}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "serve.log"
        with running_server(index, log, workers=2, startup_timeout=STARTUP, **env) as base:
            host, port = "127.0.0.1", urllib.parse.urlsplit(base).port
            for path in ordinary[:8]:  # warm-up: generation arrays, caches
                get(host, port, "127.0.0.1", path)
            baseline = Side()  # the same readers with nobody attacking: this run's baseline
            run_all(readers(host, port, ordinary, args.baseline_seconds, baseline))
            result["readers_alone"] = baseline.figures()
            reader_side = Side()
            with attacking(host, port, hostile, args.seconds) as attacker_figures:
                run_all(readers(host, port, ordinary, args.seconds, reader_side))
            result["readers"], result["attacker"] = reader_side.figures(), attacker_figures
            result["server"] = slowest_logged(log)
        if args.slow_clients:
            result["slow_clients"] = slow_phase(index, Path(tmp), ordinary, args)
    report(result)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


def slow_phase(index: Path, tmp: Path, ordinary: list[str], args: argparse.Namespace) -> dict:
    """Slow clients and 4 readers, straight at gunicorn, then through nginx (one trusted
    proxy, so each reader keeps its own rate limit)."""
    out: dict = {"connections": args.slow_clients, "seconds": args.slow_seconds}
    env = {**DEFAULT_RATE_LIMIT, "ARCHIVE_SEARCH_TRUSTED_PROXIES": "1"}
    with running_server(index, tmp / "slow.log", workers=2, startup_timeout=STARTUP, **env) as base:
        for path in ordinary[:8]:  # warm-up, as above
            get("127.0.0.1", urllib.parse.urlsplit(base).port, "127.0.0.1", path)
        targets = [("gunicorn", base)]
        try:
            with running_nginx(base, tmp) as proxied:
                targets.append(("nginx", proxied))
                for name, url in targets:
                    port = urllib.parse.urlsplit(url).port
                    side = Side()
                    run_all(
                        [slow_clients("127.0.0.1", port, args.slow_clients, args.slow_seconds)]
                        + readers("127.0.0.1", port, ordinary, args.slow_seconds, side)
                    )
                    out[name] = side.figures()
        except FileNotFoundError as exc:
            out["nginx"] = f"not run: {exc}"
    return out


def report(result: dict) -> None:
    r, a, s = result["readers"], result["attacker"], result["server"]
    print(f"2 workers, {result['settings']}; {result['hostile_requests']} hostile requests")
    b = result["readers_alone"]
    print(f"readers alone (baseline): {b['requests']} requests, errors {b['errors']}, "
          f"p50 {b['p50_ms']} ms, p99 {b['p99_ms']} ms")  # fmt: skip
    print(f"readers : {r['requests']} requests, errors {r['errors']}, "
          f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, max {r['max_ms']} ms")  # fmt: skip
    print(f"attacker: {a['requests']} requests, 429s {a['rate_limited']}, statuses "
          f"{a['statuses']}, p50 {a['p50_ms']} ms, max {a['max_ms']} ms")  # fmt: skip
    print(f"server  : slowest request {s['max_ms']} ms, {s['over_2500_ms']} over 2.5 s, "
          f"{s['5xx']} answered 5xx")  # fmt: skip
    for name, side in (result.get("slow_clients") or {}).items():
        if isinstance(side, dict) and "requests" in side:
            print(f"slow clients ({result['slow_clients']['connections']}), readers via {name}: "
                  f"{side['requests']} requests, errors {side['errors']}, "
                  f"p50 {side['p50_ms']} ms, p99 {side['p99_ms']} ms")  # fmt: skip
        elif name not in ("connections", "seconds"):
            print(f"slow clients via {name}: {side}")


if __name__ == "__main__":
    sys.exit(main())
