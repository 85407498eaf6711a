"""The service's one error hierarchy: every failure a client is told about has a status.

`ArchiveError` carries an HTTP status, a message for the reader and the parameter
to blame; web/errors.py answers all of them with one handler (JSON under /api, the
error page elsewhere). `SearchError` (400) is a request the reader can fix;
`search.storage.IndexUnavailable` (503) an index that cannot be used; web.errors
adds `ApiError` for statuses the web layer decides (404, 413, 414).
"""

from __future__ import annotations


class ArchiveError(Exception):
    """A failure with a status, a message for the reader, and the parameter to blame."""

    status = 500

    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class SearchError(ArchiveError, ValueError):
    """An invalid request parameter; `parameter` names it (e.g. "page", "from")."""

    status = 400
