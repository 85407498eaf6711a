"""The top 50 of each entity facet against the committed hand audit (`eval/audit/`).

Each audit file lists every value seen in a corpus's top 50 (before and after the
entity work), the verdict a person gave it (right: a real person, organisation or
place of that kind) and why. A value judged wrong that has been fixed must not
return; an unjudged value fails the test until someone audits it; and the share
judged right must not fall below the audited one.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _load_facets():
    spec = importlib.util.spec_from_file_location("eval_facets", ROOT / "eval" / "facets.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_facets"] = module
    spec.loader.exec_module(module)
    return module


facets = _load_facets()


def _check_against_audit(corpus: str, tops: dict[str, list[dict]]) -> None:
    for facet, values in tops.items():
        assert len(values) == 50, (corpus, facet, len(values))
        audit = facets.read_audit(corpus, facet)
        unjudged = [v["value"] for v in values if v["value"].casefold() not in audit]
        assert not unjudged, f"{corpus} {facet}: audit these values first: {unjudged}"
        rows = [audit[v["value"].casefold()] for v in values]
        returned = [
            v["value"]
            for v, row in zip(values, rows, strict=True)
            if row.verdict == "wrong" and not row.after
        ]
        assert not returned, f"{corpus} {facet}: values judged wrong are back: {returned}"
        right = sum(row.verdict == "right" for row in rows)
        audited = [row for row in audit.values() if row.after]
        audited_right = sum(row.verdict == "right" for row in audited)
        assert right >= audited_right, (corpus, facet, right, audited_right)


def test_demo_archive_top_50(tmp_path):
    tops = facets.top_values("demo", tmp_path / "ix")
    _check_against_audit("demo", tops)


def test_reuters_top_50(corpora, tmp_path):
    tops, articles = facets.top_values("reuters", tmp_path / "ix", count=True)
    assert articles == 20_841
    _check_against_audit("reuters", tops)
