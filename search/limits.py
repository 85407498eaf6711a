"""The one home of request limits: how much work one request may ask for.

Every cap that bounds a request's work lives here, so a reader of this file
sees the whole budget: how many query parts are evaluated, how far wildcard
and fuzzy words expand, how many stored values a field prefix scores, and
what a request costs against the per-client rate limit. Time is bounded
separately (ARCHIVE_SEARCH_QUERY_TIME_LIMIT); these caps bound the work
itself, so even an unlimited time budget cannot be turned into unbounded work.
"""

from __future__ import annotations

# ---- one query ----

# Words, phrases and OR options evaluated per query, all clauses together (included and
# excluded); later ones are dropped. `a OR b OR ...` counts each option.
MAX_OPTIONS = 64
# Wildcard (`negot*`) and fuzzy (`lukashenko~`) words expanded per query; later ones are
# matched as typed, like plain words.
MAX_EXPANDED_WORDS = 4
# Lexicon terms one query's wildcard and fuzzy words may generate, over every field and
# segment together: the walk stops there, before any list is built.
MAX_EXPANSION_SCAN = 4000
# Stored values a field prefix scores one by one (`organization:of` contains thousands);
# the other matching values still match, unscored.
MAX_SCORED_VALUES = 100

# ---- one client ----

# Requests one client (address) may have running at once on a server; more are a 429 at
# once. With the default 2 workers, one client can never hold both while others wait.
MAX_IN_FLIGHT_PER_CLIENT = 1
# A running request's count is forgotten after this many seconds even if its worker died
# mid-request (a killed worker must not lock its client out).
IN_FLIGHT_EXPIRY_SECONDS = 30

# ---- what a request costs against ARCHIVE_SEARCH_RATE_LIMIT ----

# Each request costs 1, plus 1 for every whole COST_SLICE_SECONDS it ran (ordinary
# searches take milliseconds, so they cost 1) ...
COST_SLICE_SECONDS = 0.25
# ... plus this much when its search ran out of time (`timed_out`).
TIMED_OUT_COST = 10

# ---- the widget's instant search (`partial=1`) ----

# The last word, still being typed, also matches as a prefix when it has this many letters
# ("mi" would walk thousands of lexicon entries to rank nothing useful) ...
PARTIAL_MIN_CHARS = 3
# ... expanding to its most frequent completions, at most this many ...
PARTIAL_EXPANSIONS = 20
# ... found among at most this many lexicon entries per field and segment.
PARTIAL_SCAN = 2000
