"""The one home of request limits: what a request may ask for, and how much work it may cause.

Parameters and formats: `Archive` (search/archive.py), `parse` and `parse_bound`
enforce them for every caller (result, facet, similar and suggest limits, query
length, date format); the HTTP API (web/api.py) checks them first, so a mistake is
a 400 naming the parameter; the OpenAPI document (web/openapi.py,
web/openapi_params.py) publishes them; the widget's server code (web/widget.py)
keeps its options inside them; ingest (index/records.py) accepts only ids an URL
can name.

Work: every cap that bounds a request's work lives here too, so a reader of this
file sees the whole budget: how many query parts are evaluated, how far wildcard
and fuzzy words expand, how many stored values a field prefix scores, and what a
request costs against the per-client rate limit. Time is bounded separately
(ARCHIVE_SEARCH_QUERY_TIME_LIMIT); these caps bound the work itself, so even an
unlimited time budget cannot be turned into unbounded work.

Change a value here and everything that reads it follows. A flat module of named
constants: no logic.
"""

from __future__ import annotations

from search.schema import FACET_FIELDS

# ---- parameters: results ----
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_WINDOW = 10_000  # page x per_page: deeper pages are refused (refine the query instead)
SORTS = ("relevance", "newest", "oldest")
MAX_GENERATION = 2**53  # `generation` pins a page to the index generation page 1 reported

# Facets: FACET_FIELDS (the schema's facet fields) are also the filter parameters.
FACET_FIELDS = FACET_FIELDS
DEFAULT_FACET_SIZE = 10
MIN_FACET_SIZE = 1
MAX_FACET_SIZE = 100
MAX_FILTER_VALUES = 50  # filter values in one request, across all facets
MAX_FILTER_LENGTH = 200  # characters in one filter value

# The query text.
DEFAULT_MAX_QUERY_LENGTH = 1000  # default of the server's MAX_QUERY_LENGTH setting (a 400)
MAX_QUERY_CHARS = 2000  # the parser reads no more than this of any query, whoever calls

# More like this, and search-as-you-type.
DEFAULT_SIMILAR = 10
MAX_SIMILAR = 50
DEFAULT_SUGGEST = 8
MAX_SUGGEST = 20

# Formats (regular expressions, matched whole).
DATE_PATTERN = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"  # 2017, 2017-06 or 2017-06-19
ID_PATTERN = r"[A-Za-z0-9._:-]{1,128}"  # article ids: safe in a URL path as they are

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
