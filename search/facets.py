"""Disjunctive facets as small objects: how to filter, how to count, what to show.

Each facet's counts respect every other facet's selection but not its own, so
a reader can widen a selection (OR within a facet, AND across facets). Counts
are exact: one `np.bincount` over the generation's (doc, value) pairs of the
documents that match. A selected value always appears, with `selected: true`,
even when nothing matches it any more, so the reader can unselect it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from search.analysis import fold_value
from search.generation import FacetTable, Generation
from search.schema import FACET_FIELDS


class Facet:
    """One facet field (person, organization, place, category, tag, year)."""

    def __init__(self, table: FacetTable, selected: list[str], language: str | None = None):
        self.name = table.name
        self.table = table
        self.language = language  # the page's: a value is shown in its script where it can be
        self.selected = list(dict.fromkeys(v for v in selected if self.key(v)))

    def key(self, value: str) -> str:
        """The index form of a value: folded (case/accent-insensitive), years as digits."""
        return value.strip() if self.name == "year" else fold_value(value)

    def selected_ordinals(self) -> list[int]:
        index = self.table.index
        return [index[self.key(v)] for v in self.selected if self.key(v) in index]

    def filter_mask(self, n: int) -> np.ndarray | None:
        """Documents holding any selected value; None when nothing is selected."""
        if not self.selected:
            return None
        return self.table.doc_mask(self.selected_ordinals(), n)

    def render(self, counts: np.ndarray, size: int) -> list[dict]:
        """Top `size` values by count (ties by value), then any selected value not among them."""
        nonzero = np.flatnonzero(counts)
        keys = -counts[nonzero].astype(np.int64) * max(len(counts), 1) + nonzero
        if len(nonzero) > size:
            keep = np.argpartition(keys, size - 1)[:size] if size else np.zeros(0, dtype=int)
            nonzero, keys = nonzero[keep], keys[keep]
        top = [int(o) for o in nonzero[np.argsort(keys, kind="stable")]]
        chosen = set(self.selected_ordinals())
        out = [self._item(o, int(counts[o]), o in chosen) for o in top]
        shown = set(top)
        for value in self.selected:
            ordinal = self.table.index.get(self.key(value))
            if ordinal is None:
                out.append({"value": value, "count": 0, "selected": True})
            elif ordinal not in shown:
                shown.add(ordinal)
                out.append(self._item(ordinal, int(counts[ordinal]), True))
        return out

    def _item(self, ordinal: int, count: int, selected: bool) -> dict:
        value = self.table.shown(ordinal, self.language)
        return {"value": value, "count": count, "selected": selected}


def apply_facets(
    gen: Generation,
    base: np.ndarray,
    filters: dict[str, list[str]],
    size: int,
    language: str | None = None,
) -> tuple[np.ndarray, dict[str, list[dict]]]:
    """(documents matching base AND every selection, facet results for the response),
    values shown as a page in `language` shows them (FacetTable.shown)."""
    facets = [Facet(gen.facets[name], filters.get(name, []), language) for name in FACET_FIELDS]
    masks = {f.name: f.filter_mask(gen.n) for f in facets}
    total = _narrow(base, masks.values())
    out: dict[str, list[dict]] = {}
    for facet in facets:
        if masks[facet.name] is None:
            scope = total
        else:  # disjunctive: every other selection, not this facet's own
            scope = _narrow(base, (m for name, m in masks.items() if name != facet.name))
        out[facet.name] = facet.render(facet.table.counts(scope), size)
    return total, out


def filter_docs(gen: Generation, base: np.ndarray, filters: dict[str, list[str]]) -> np.ndarray:
    """Documents of `base` holding a selected value of every filtered facet (no counting)."""
    masks = (Facet(gen.facets[name], values).filter_mask(gen.n) for name, values in filters.items())
    return _narrow(base, masks)


def _narrow(base: np.ndarray, masks: Iterable[np.ndarray | None]) -> np.ndarray:
    out = base.copy()
    for mask in masks:
        if mask is not None:
            out &= mask
    return out
