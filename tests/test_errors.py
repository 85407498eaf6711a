"""One error hierarchy: every failure a client is told about is an ArchiveError with a status,
answered by one handler in the API's JSON shape (and as the error page elsewhere)."""

from __future__ import annotations

import pytest

from search.errors import ArchiveError, SearchError
from search.storage import IndexMissingError
from web.errors import ApiError, bad_parameter, not_found


@pytest.mark.parametrize(
    ("error", "status", "parameter"),
    [
        (SearchError("page must be at least 1", "page"), 400, "page"),
        (bad_parameter("sort", "sort must be one of relevance"), 400, "sort"),
        (not_found("no article with id 'x'"), 404, None),
        (ApiError(413, "request body too large"), 413, None),
        (IndexMissingError("/nowhere"), 503, None),
    ],
)
def test_every_client_error_has_a_status_and_one_handler(app, error, status, parameter):
    assert isinstance(error, ArchiveError)
    assert error.status == status

    @app.get("/api/raise-for-test")
    def raise_it():
        raise error

    answer = app.test_client().get("/api/raise-for-test")
    assert answer.status_code == status
    body = answer.get_json()["error"]
    assert body["status"] == status
    if status == 503:  # the kind of problem, never the index's path
        assert body["message"].startswith("no index yet") and "/nowhere" not in body["message"]
    else:
        assert body["message"] == error.message
    assert body.get("parameter") == parameter
