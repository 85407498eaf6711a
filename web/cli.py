"""The `archive-search` command: the outermost layer, so it may call index, search and web.

Exit status: 0 when everything worked, 1 when some input failed (the good
records are still indexed) or the index cannot be used, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import sys
import time
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any, TextIO

from index.batch import IngestReport, LockTimeout
from index.readers import Parsed, read_paths
from index.records import article_from_dict
from index.rsync import PublishError
from index.writer import delete, ingest
from search.aliases import AliasError
from search.export import iter_records
from search.storage import IndexUnavailable, open_index, resolve_index_dir

DEMO_FILE = "wikinews-en.jsonl.gz"


class UsageError(Exception):
    """Bad arguments: exit status 2."""


def _progress(label: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A tqdm bar on a terminal, a plain line every few seconds otherwise."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(desc=label, unit=" articles", file=sys.stderr)

        def update(done: int) -> None:
            bar.update(done - bar.n)

        return update, bar.close
    state = {"last": 0.0, "start": time.monotonic()}

    def update_plain(done: int) -> None:
        now = time.monotonic()
        if now - state["last"] >= 5:
            rate = done / max(now - state["start"], 1e-9)
            print(f"{label}: {done:,} articles ({rate:,.0f}/s)", file=sys.stderr, flush=True)
            state["last"] = now

    return update_plain, lambda: None


def _print_report(report: IngestReport, out: TextIO) -> None:
    for problem in report.failed:
        print(f"error: {problem.where}: {problem.reason}", file=sys.stderr)
    for notice in report.warnings:
        print(f"warning: {notice.where}: {notice.reason}", file=sys.stderr)
    print(report.summary(), file=out)


def _run_ingest(args: argparse.Namespace, items, label: str = "ingest") -> int:
    index_dir = resolve_index_dir(args.index)
    update, close = _progress(label)
    try:
        report = ingest(
            index_dir,
            items,
            extract=not args.no_extract,
            lock_timeout=args.lock_timeout,
            batch_size=args.batch_size,
            on_wait=lambda message: print(message, file=sys.stderr, flush=True),
            on_progress=update,
        )
    finally:
        close()
    _print_report(report, sys.stdout)
    return 0 if report.ok else 1


def cmd_ingest(args: argparse.Namespace) -> int:
    try:
        items = read_paths(args.paths, args.format)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return _run_ingest(args, items)


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the shipped Wikinews demo archive into the index folder."""
    demo = resources.files("index") / "demo" / DEMO_FILE
    with resources.as_file(demo) as path:
        print(f"building the demo archive from {path.name} (Wikinews, CC BY 2.5)", file=sys.stderr)
        return _run_ingest(args, read_paths([str(path)]), label="demo")


def cmd_reindex_entities(args: argparse.Namespace) -> int:
    """Re-apply the alias file and consolidate stored entities, without re-reading sources."""
    from index.consolidation import consolidate_index
    from index.entities import apply_aliases, load_aliases

    aliases = load_aliases()
    ix_dir = resolve_index_dir(args.index)
    ix = open_index(ix_dir)

    def items():
        for record in iter_records(ix):
            record["entities"] = apply_aliases(record.get("entities") or {}, aliases)
            yield Parsed(f"index:{record['id']}", article_from_dict(record))

    args.no_extract = True
    code = _run_ingest(args, items(), label="reindex-entities")
    print(consolidate_index(ix_dir, lock_timeout=args.lock_timeout).summary())
    return code


def cmd_delete(args: argparse.Namespace) -> int:
    index_dir = resolve_index_dir(args.index)
    open_index(index_dir)  # a clear error when there is no index
    count = delete(index_dir, args.ids, lock_timeout=args.lock_timeout)
    print(f"deleted {count} of {len(set(args.ids))} articles")
    return 0 if count == len(set(args.ids)) else 1


def cmd_export(args: argparse.Namespace) -> int:
    ix = open_index(resolve_index_dir(args.index))
    with contextlib.ExitStack() as stack:
        out = (
            stack.enter_context(open(args.output, "w", encoding="utf-8"))
            if args.output
            else sys.stdout
        )
        for record in iter_records(ix):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


def _archive(args: argparse.Namespace):
    from search import Archive

    return Archive(resolve_index_dir(args.index))


def cmd_search(args: argparse.Namespace) -> int:
    from search import SearchError

    try:
        answer = _archive(args).search(args.query, per_page=args.limit)
    except SearchError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
        return 0
    print(f"{answer['total']:,} results ({answer['took_ms']:.1f} ms)")
    for hit in answer["results"]:
        date = (hit.get("date") or "undated")[:10]
        print(f"{hit['id']}  {date}  {_plain(hit['title'])}")
    return 0


def _plain(html_text: str) -> str:
    import html

    return html.unescape(html_text.replace("<mark>", "").replace("</mark>", ""))


def cmd_stats(args: argparse.Namespace) -> int:
    stats = _archive(args).stats()
    folder = resolve_index_dir(args.index)
    stats["index_bytes"] = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    _print_stats(stats)
    return 0


def _print_stats(stats: dict[str, Any]) -> None:
    for key, value in stats.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for sub, items in value.items():
                print(f"  {sub}: {items}")
        else:
            print(f"{key}: {value}")


def cmd_serve(args: argparse.Namespace) -> int:
    from web.server import serve

    return serve(
        index_dir=resolve_index_dir(args.index),
        host=args.host,
        port=args.port,
        workers=args.workers,
        debug=args.debug,
    )


def _retention(args: argparse.Namespace) -> dict[str, Any]:
    if args.keep < 1:
        raise UsageError("--keep must be at least 1")
    if args.keep_minutes < 0:
        raise UsageError("--keep-minutes must not be negative")
    return {"keep": args.keep, "max_age": args.keep_minutes * 60}


def cmd_publish(args: argparse.Namespace) -> int:
    """Copy the latest committed generation to DEST for replicas (index.publish)."""
    from index.entities import load_aliases
    from index.publish import publish
    from search import settings

    aliases = settings.value(settings.ALIASES)
    if aliases:
        load_aliases(aliases)  # a broken alias file is refused before anything is sent
    result = publish(
        resolve_index_dir(args.index),
        args.dest,
        aliases=aliases,
        **_retention(args),
    )
    print(result.summary(args.dest))
    return 0


def cmd_replica(args: argparse.Namespace) -> int:
    """Pull published generations from SOURCE into the index folder (index.replica)."""
    from index.replica import run_replica

    if args.every is not None and args.every <= 0:
        raise UsageError("--every must be a positive number of seconds")
    return run_replica(
        args.source,
        resolve_index_dir(args.index),
        every=args.every,
        bwlimit=args.bwlimit,
        **_retention(args),
    )


def cmd_analytics(args: argparse.Namespace) -> int:
    """What readers searched for, from this server's log or several (`--db` repeated)."""
    from pathlib import Path

    from web.analytics import default_path
    from web.analytics_report import MAX_DAYS, MAX_LIMIT, LogError, report
    from web.settings import SETTINGS, load_settings

    if not 1 <= args.days <= MAX_DAYS or not 1 <= args.limit <= MAX_LIMIT:
        raise UsageError(f"--days must be 1 to {MAX_DAYS} and --limit 1 to {MAX_LIMIT}")
    paths = [Path(p) for p in args.db]
    if not paths:
        configured = load_settings()["ANALYTICS_DB"]
        paths = [configured or default_path(resolve_index_dir(args.index))]
    for path in paths:
        if not path.is_file():
            env = next(s.env for s in SETTINGS if s.name == "ANALYTICS_DB")
            print(f"archive-search: error: no search log at {path} (--db, or {env})",
                  file=sys.stderr)  # fmt: skip
            return 1
    try:
        answer = report(paths, days=args.days, limit=args.limit)
    except LogError as exc:
        print(f"archive-search: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        _print_analytics(answer)
    return 0


def _print_analytics(answer: dict[str, Any]) -> None:
    logs = answer["logs"]
    print(
        f"{answer['searches']:,} searches from {answer['from']} to {answer['to']} (UTC) in "
        f"{logs} log{'s' if logs != 1 else ''}, {answer['zero_result_searches']:,} with no results"
    )
    sections = [
        ("Top queries (searches, results)", [(r["query"], r["count"], r["results"])
                                             for r in answer["top_queries"]]),
        ("Top queries with no results", [(r["query"], r["count"])
                                         for r in answer["zero_result_queries"]]),
        ("Top filters", [(f"{r['filter']}: {r['value']}", r["count"])
                         for r in answer["top_filters"]]),
        ("Searches per day", [(r["day"], r["count"]) for r in answer["per_day"]]),
    ]  # fmt: skip
    for title, rows in sections:
        print(f"\n{title}")
        for label, *numbers in rows:
            print(f"  {label:<50} " + " ".join(f"{n:>8,}" for n in numbers))
        if not rows:
            print("  none")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive-search", description="Full-text search for an archive of articles."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--index", help="index folder (default: $ARCHIVE_SEARCH_INDEX, else ./data/index)"
    )
    writing = argparse.ArgumentParser(add_help=False)
    writing.add_argument(
        "--lock-timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long to wait for another ingest to finish (default 300)",
    )
    writing.add_argument("--batch-size", type=int, default=10_000, help=argparse.SUPPRESS)
    writing.add_argument(
        "--no-extract",
        action="store_true",
        help="skip entity extraction (for archives whose entities come curated)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[common, writing], help="index files, folders, globs")
    p.add_argument("paths", nargs="+", metavar="PATH", help="file, folder, glob, or - for stdin")
    p.add_argument(
        "--format",
        choices=["jsonl", "pagetext", "html", "feed"],
        help="override format detection",
    )
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("demo", parents=[common, writing], help="index the shipped demo archive")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "reindex-entities",
        parents=[common, writing],
        help="re-apply the alias file to stored entities",
    )
    p.set_defaults(func=cmd_reindex_entities)

    p = sub.add_parser("delete", parents=[common, writing], help="delete articles by id")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("export", parents=[common], help="write every article as JSONL")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("search", parents=[common], help="run a query from the shell")
    p.add_argument("query")
    p.add_argument("--json", action="store_true", help="print the /api/search JSON")
    p.add_argument("--limit", type=int, default=10, help="results to show (default 10)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("stats", parents=[common], help="counts, dates, top entities, size")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    retention = argparse.ArgumentParser(add_help=False)
    retention.add_argument(
        "--keep", type=int, default=3, help="newest generations always kept (default 3)"
    )
    retention.add_argument(
        "--keep-minutes",
        type=float,
        default=60.0,
        help="how long a replaced generation stays for readers paging on it (default 60)",
    )
    p = sub.add_parser(
        "publish", parents=[common, retention], help="copy the latest generation for replicas"
    )
    p.add_argument("dest", metavar="DEST", help="a folder, or anything rsync reaches (host:path)")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser(
        "replica", parents=[common, retention], help="keep a copy of a published folder current"
    )
    p.add_argument("--from", dest="source", required=True, metavar="SOURCE",
                   help="the published folder (local, host:path or rsync://)")  # fmt: skip
    p.add_argument("--every", type=float, metavar="SECONDS",
                   help="pull again every SECONDS until stopped (default: pull once)")  # fmt: skip
    p.add_argument("--bwlimit", type=int, metavar="KBPS", help="rsync bandwidth limit, KB/s")
    p.set_defaults(func=cmd_replica)
    p = sub.add_parser("analytics", parents=[common], help="what readers searched for")
    p.add_argument(
        "--db",
        action="append",
        default=[],
        metavar="FILE",
        help="a server's search log; repeat to read several as one (default: this server's)",
    )
    p.add_argument("--days", type=int, default=30, help="the last N days (default 30)")
    p.add_argument("--limit", type=int, default=20, help="rows per list (default 20)")
    p.add_argument("--json", action="store_true", help="print the /api/admin/queries JSON")
    p.set_defaults(func=cmd_analytics)

    p = sub.add_parser("serve", parents=[common], help="serve the site and the API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument("--debug", action="store_true", help="Flask's development server instead")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"archive-search: error: {exc}", file=sys.stderr)
        return 2
    except (IndexUnavailable, LockTimeout, AliasError, PublishError) as exc:
        print(f"archive-search: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        hint = " (the disk is full)" if exc.errno == errno.ENOSPC else ""
        print(
            f"archive-search: error: {exc}{hint}; the last committed batch is intact",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("interrupted: the last committed batch is intact; rerun to finish", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
