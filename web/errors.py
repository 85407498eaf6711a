"""One error handler: JSON under /api, an HTML page elsewhere, never a stack trace.

Every failure a client can cause becomes an `ApiError` (or a werkzeug
`HTTPException`, or the read side's `SearchError`) with a 4xx status; the
catch-all for anything else answers 500 in the same shapes and logs the
traceback, so a bug never leaks internals to the client.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search.errors import SearchError
from search.storage import IndexMissingError, IndexUnavailable, IndexVersionError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A failure with a status, a message for the reader, and the parameter to blame."""

    def __init__(self, status: int, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


def bad_parameter(parameter: str, message: str) -> ApiError:
    return ApiError(400, message, parameter)


def not_found(message: str = "not found") -> ApiError:
    return ApiError(404, message)


def wants_json() -> bool:
    """The API speaks JSON, the site speaks HTML; the path decides, not the Accept header."""
    return request.path == "/api" or request.path.startswith("/api/")


def error_response(status: int, message: str, parameter: str | None = None) -> Response:
    """The DESIGN.md error shape under /api, the error page elsewhere."""
    if wants_json():
        error: dict = {"status": status, "message": message}
        if parameter:
            error["parameter"] = parameter
        response = jsonify({"error": error})
    else:
        response = Response(
            render_template("error.html", status=status, message=message, parameter=parameter)
        )
    response.status_code = status
    return response


def _from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = exc.description or exc.name
    if status == 429:
        message = f"too many requests: limit is {exc.description}; retry later"
    response = error_response(status, message)
    if status == 405 and exc.response is None:
        # Keep the Allow header werkzeug computed.
        allow = exc.get_headers()
        for name, value in allow:
            if name.lower() == "allow":
                response.headers["Allow"] = value
    retry = getattr(exc, "retry_after", None)
    if retry is not None:
        response.headers["Retry-After"] = str(retry)
    return response


def _from_search(exc: SearchError) -> Response:
    return error_response(400, exc.message, exc.parameter)


def _from_api(exc: ApiError) -> Response:
    response = error_response(exc.status, exc.message, exc.parameter)
    retry = getattr(exc, "retry_after", None)
    if retry is not None:
        response.headers["Retry-After"] = str(retry)
    return response


def unavailable_reason(exc: IndexUnavailable) -> str:
    """What a client is told about an unusable index: the kind of problem, never the
    folder's path (the server log has the whole message)."""
    log.warning("index unavailable on %s %s: %s", request.method, request.path, exc)
    if isinstance(exc, IndexMissingError):
        return "no index yet: build one with `archive-search ingest PATH...`"
    if isinstance(exc, IndexVersionError):
        return "the index was written by another version of archive-search: rebuild it"
    return "the search index cannot be used; the server log says why"


def _from_unavailable(exc: IndexUnavailable) -> Response:
    return error_response(503, unavailable_reason(exc))


def _from_anything(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal error: the server could not answer this request")


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiError, _from_api)
    app.register_error_handler(SearchError, _from_search)
    app.register_error_handler(IndexUnavailable, _from_unavailable)
    app.register_error_handler(HTTPException, _from_http)
    app.register_error_handler(Exception, _from_anything)
