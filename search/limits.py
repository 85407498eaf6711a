"""Request limits: the one home of every bound and format a read request is checked against.

`Archive` (search/archive.py), `parse` and `parse_bound` enforce them for
every caller (result, facet, similar and suggest limits, query length, date
format); the HTTP API
(web/api.py) checks them first, so a mistake is a 400 naming the parameter; the
OpenAPI document (web/openapi.py, web/openapi_params.py) publishes them; the
widget's server code (web/widget.py) keeps its options inside them; ingest
(index/records.py) accepts only ids an URL can name. Change a value here and
all of them follow. A flat module of named constants: no logic.
"""

from __future__ import annotations

from search.schema import FACET_FIELDS

# Results.
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_WINDOW = 10_000  # page x per_page: deeper pages are refused (refine the query instead)
SORTS = ("relevance", "newest", "oldest")

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
