"""Schemathesis against /api/openapi.json: nothing a client sends may cause a 5xx.

Bounded (50 examples per operation, no deadline) so it runs in `make test`.
Besides "no server error", every answer must match the documented status
codes, content type and response schema, and every 4xx must be the
error shape of the README ("The web site and the HTTP API").
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

OPERATIONS = [
    "/api/search",
    "/api/articles/{article_id}",
    "/api/articles/{article_id}/similar",
    "/api/suggest",
    "/api/health",
    "/api/trends",  # web.trends, documented through web.openapi_trends
    "/api/timeline",
    "/api/entities/{kind}/{value}",  # web.entity_pages, documented through web.openapi_entities
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def check_response(case) -> None:
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    if 400 <= response.status_code < 500:
        error = response.json()["error"]
        assert error["status"] == response.status_code and error["message"]


CASES = [
    (path, mode)
    for path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if not (path == "/api/health" and mode is GenerationMode.NEGATIVE)  # it takes no parameters
]


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_api_never_answers_5xx(make_app, path, mode):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", make_app())
    operation = schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        check_response(case)

    run()


def test_every_documented_operation_is_fuzzed(client):
    assert set(client.get("/api/openapi.json").get_json()["paths"]) == set(OPERATIONS)
