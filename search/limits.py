"""Bounds on the work one request may cause, in one place.

Each cap says what it bounds and why its value: a reader never needs more,
and a robot gets no more.
"""

from __future__ import annotations

# The widget's last word, still being typed (`partial=1`): it also matches as a prefix.
PARTIAL_MIN_CHARS = 3  # "mi" would scan thousands of lexicon entries to rank nothing useful
PARTIAL_EXPANSIONS = 20  # completions of the typed word searched (the most frequent first)
PARTIAL_SCAN = 2000  # lexicon entries read per field and segment to find them
