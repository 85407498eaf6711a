"""Search speed: our read side vs the same work done the stock Whoosh way.

    python bench/search.py [--json OUT] [--queries N]

Builds (once, cached under bench/.cache/) an index of every news corpus in
../shared/corpora (~50k articles, extract=False), generates a fixed workload
(seeded) from the index itself, then runs every query through
`Archive.search` (exact total, six disjunctive facets, BM25F top 10,
snippets) and through a stock baseline (`searcher.search` + `len(results)`,
`groupedby` with six FieldFacets, the stock highlighter for 10 hits).
Prints p50/p95 per query class and overall, and writes JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from whoosh import highlight as wh  # noqa: E402
from whoosh import query as wq  # noqa: E402
from whoosh.sorting import FieldFacet  # noqa: E402

from bench.corpora import corpora_dir  # noqa: E402
from bench.oracles import stock_query  # noqa: E402
from search import Archive, codec  # noqa: E402
from search.analysis import TEXT_ANALYZER, analyze, fold_value  # noqa: E402
from search.dates import parse_bound  # noqa: E402
from search.query import parse  # noqa: E402
from search.ranking import FIELD_WEIGHTS  # noqa: E402
from search.schema import ENTITY_FIELDS, FACET_FIELDS, SCHEMA_VERSION, unpack_record  # noqa: E402

CORPORA = ("reuters21578", "bbc", "wikinews-en", "20newsgroups", "ag-news-test")
CLASSES = {"word": 0.4, "pair": 0.2, "phrase": 0.1, "question": 0.1, "filtered": 0.2}


def build_index(extract: bool = False) -> Path:
    """The cached ~50k-article index, rebuilt when the corpora or the schema change.

    `extract=True` runs entity extraction at ingest (a separate cached index).
    """
    from index.readers import read_path
    from index.writer import ingest

    files = [corpora_dir() / f"{name}.jsonl.gz" for name in CORPORA]
    key = hashlib.blake2b(
        repr([(f.name, f.stat().st_size) for f in files] + [SCHEMA_VERSION]).encode(),
        digest_size=6,
    ).hexdigest()
    path = ROOT / "bench" / ".cache" / f"news-index{'-extracted' if extract else ''}-{key}"
    if (path / "done").exists():
        return path
    print(f"building {path} (once) ...", flush=True)
    started = time.perf_counter()
    for file in files:
        ingest(path, read_path(str(file)), extract=extract)
    (path / "done").write_text("ok\n")
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def generation(archive: Archive):
    """The archive's current generation (the bench is single-threaded: no lock is kept)."""
    with archive.reading() as gen:
        return gen


def body_terms(gen) -> list[tuple[str, int]]:
    """(term, document frequency) for the body field, summed over segments."""
    df: dict[str, int] = defaultdict(int)
    for leaf, _ in gen.leaves:
        for text, info in codec.field_terms(leaf, "body"):
            df[text] += info.doc_frequency()
    return [(t, n) for t, n in df.items() if t.isalpha() and len(t) > 2]


def workload(archive: Archive, size: int, seed: int = 1987) -> list[dict]:
    """A fixed mix of query classes drawn from the index's own words, text and values."""
    rng = random.Random(seed)
    gen = generation(archive)
    terms = sorted(body_terms(gen), key=lambda x: x[1])
    bands = [terms[i * len(terms) // 8 : (i + 1) * len(terms) // 8] for i in range(8)]
    live = [int(d) for d in gen.live.nonzero()[0]]

    def record():
        return unpack_record(gen.searcher.stored_fields(rng.choice(live))["record"])

    def words_of(text):
        return [w for w in re.findall(r"[A-Za-z]{3,}", text) if analyze(w)]

    out: list[dict] = [{"cls": "word", "q": "said"}]
    seen = {"said"}
    counts = {cls: round(size * share) for cls, share in CLASSES.items()}
    counts["word"] -= 1
    while any(counts.values()):
        cls = rng.choice([c for c, n in counts.items() if n])
        item: dict = {"cls": cls}
        if cls == "word":
            band = bands[rng.randrange(2, 8)]
            item["q"] = band[rng.randrange(len(band))][0]
        elif cls in ("pair", "phrase", "question"):
            words = words_of(record().get("body") or "")
            if len(words) < 22:
                continue
            start = rng.randrange(len(words) - 21)
            if cls == "pair":
                picked = rng.sample(words[start : start + 20], 2)
                item["q"] = " ".join(picked)
            elif cls == "phrase":
                item["q"] = '"' + " ".join(words[start : start + 2]) + '"'
            else:
                item["q"] = " ".join(words[start : start + rng.randint(10, 20)]).lower()
        else:
            rec = record()
            item["q"] = rng.choice(words_of(rec.get("title") or "") or ["news"]).lower()
            choices = [(k, v) for k in ENTITY_FIELDS for v in rec["entities"].get(k, [])]
            choices += [("tag", t) for t in rec.get("tags") or []]
            if rec.get("category"):
                choices.append(("category", rec["category"]))
            if choices and rng.random() < 0.6:
                name, value = rng.choice(choices)
                item["filters"] = {name: [value]}
            elif rec.get("date"):
                item["from"], item["to"] = rec["date"][:7], rec["date"][:7]
            else:
                continue
        key = json.dumps(item, sort_keys=True)
        if key in seen or not item["q"].strip('"'):
            continue
        seen.add(key)
        counts[cls] -= 1
        out.append(item)
    return out


def run_ours(archive: Archive, item: dict) -> tuple[float, int]:
    started = time.perf_counter()
    result = archive.search(
        item["q"],
        filters=item.get("filters"),
        date_from=item.get("from"),
        date_to=item.get("to"),
    )
    return (time.perf_counter() - started) * 1000, result["total"]


def run_stock(archive: Archive, item: dict) -> tuple[float, int]:
    started = time.perf_counter()
    searcher = generation(archive).searcher
    parsed = parse(item["q"])
    query, mask = stock_query(parsed, FIELD_WEIGHTS, ENTITY_FIELDS)
    filters = [
        wq.Or([wq.Term(name, fold_value(v)) for v in values])
        for name, values in (item.get("filters") or {}).items()
    ]
    if item.get("from"):
        start = parse_bound(item["from"], end=False)
        end = parse_bound(item["to"], end=True)
        filters.append(wq.NumericRange("date", start, end))
    results = searcher.search(
        query,
        limit=10,
        mask=mask,
        filter=wq.And(filters) if filters else None,
        groupedby={name: FieldFacet(name, allow_overlap=True) for name in FACET_FIELDS},
    )
    total = len(results)
    for name in FACET_FIELDS:
        results.groups(name)
    terms = {t for t in analyze(item["q"])}
    fragmenter, formatter = wh.ContextFragmenter(), wh.HtmlFormatter()
    for hit in results:
        body = unpack_record(hit["record"]).get("body") or ""
        wh.highlight(body, terms, TEXT_ANALYZER, fragmenter, formatter)
    return (time.perf_counter() - started) * 1000, total


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summarize(times: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    rows = {cls: v for cls, v in times.items()}
    rows["overall"] = [t for v in times.values() for t in v]
    return {
        cls: {
            "n": len(v),
            "p50": round(statistics.median(v), 2),
            "p95": round(percentile(v, 95), 2),
        }
        for cls, v in rows.items()
    }


def time_similar_and_suggest(archive: Archive, gen, seed: int = 11) -> dict[str, dict]:
    """`similar` for 200 random articles; `suggest` for 100 names typed a letter at a time."""
    rng = random.Random(seed)
    live = [int(d) for d in gen.live.nonzero()[0]]
    similar_ms = []
    for doc in rng.sample(live, 200):
        article_id = gen.searcher.stored_fields(doc)["id"]
        started = time.perf_counter()
        archive.similar(article_id, limit=10)
        similar_ms.append((time.perf_counter() - started) * 1000)
    names = [v for f in ("person", "organization", "place") for v in gen.facets[f].display]
    suggest_ms = []
    for name in rng.sample(names, min(100, len(names))):
        for end in range(1, min(len(name), 8) + 1):
            started = time.perf_counter()
            archive.suggest(name[:end])
            suggest_ms.append((time.perf_counter() - started) * 1000)
    summary = summarize({"similar": similar_ms, "suggest": suggest_ms})
    summary.pop("overall")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "search.json"))
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument(
        "--baseline-every",
        type=int,
        default=6,
        help="run the stock baseline on every Nth query (it takes ~1 s a query)",
    )
    args = parser.parse_args(argv)
    path = build_index()
    opened = time.perf_counter()
    archive = Archive(path, time_limit=2.0)
    gen = generation(archive)
    open_ms = (time.perf_counter() - opened) * 1000
    queries = workload(archive, args.queries)
    ours: dict[str, list[float]] = defaultdict(list)
    ours_sampled: dict[str, list[float]] = defaultdict(list)
    stock: dict[str, list[float]] = defaultdict(list)
    mismatched = 0
    for i, item in enumerate(queries):
        ms, total = run_ours(archive, item)
        ours[item["cls"]].append(ms)
        if i % args.baseline_every:
            continue
        ours_sampled[item["cls"]].append(ms)
        sms, stotal = run_stock(archive, item)
        stock[item["cls"]].append(sms)
        if item["cls"] in ("word", "pair", "phrase") and total != stotal:
            mismatched += 1
    others = time_similar_and_suggest(archive, gen)
    report = {
        "similar_and_suggest": others,
        "documents": gen.doc_count,
        "queries": len(queries),
        "open_and_arrays_ms": round(open_ms, 1),
        "posting_cache_mb": round(gen.postings.size_bytes / 2**20, 1),
        "ours": summarize(ours),
        "ours_on_baseline_sample": summarize(ours_sampled),
        "stock": summarize(stock),
        "total_mismatches_plain": mismatched,
    }
    o, s = report["ours_on_baseline_sample"]["overall"], report["stock"]["overall"]
    report["speedup"] = {"p50": round(s["p50"] / o["p50"], 1), "p95": round(s["p95"] / o["p95"], 1)}
    print(f"{gen.doc_count:,} articles, {len(queries)} queries, arrays built in {open_ms:.0f} ms")
    print("ms; ours: every query; stock: every Nth query (its n), with ours on the same sample")
    head = ("class", "n", "ours p50", "ours p95", "n", "same p95", "stock p50", "stock p95")
    print("".join(f"{h:>10}" for h in head))
    for cls in list(CLASSES) + ["overall"]:
        a, b = report["ours"][cls], report["stock"].get(cls, {"n": 0, "p50": "-", "p95": "-"})
        c = report["ours_on_baseline_sample"].get(cls, {"p95": "-"})
        row = (cls, a["n"], a["p50"], a["p95"], b["n"], c["p95"], b["p50"], b["p95"])
        print("".join(f"{v:>10}" for v in row))
    print(
        f"speed-up: p50 {report['speedup']['p50']}x, p95 {report['speedup']['p95']}x; "
        f"plain-query total mismatches vs stock: {mismatched}"
    )
    sim, sug = others["similar"], others["suggest"]
    print(
        f"similar (200 articles): p50 {sim['p50']} ms, p95 {sim['p95']} ms; "
        f"suggest ({sug['n']} prefixes): p50 {sug['p50']} ms, p95 {sug['p95']} ms"
    )
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
