"""search.limits is the one home of the request limits: the archive, the HTTP API and the
OpenAPI document agree on every bound and format (they used to drift apart)."""

from __future__ import annotations

import pytest

from search import Archive, SearchError, limits
from search.dates import parse_bound


@pytest.fixture(scope="module")
def archive(web_index):
    return Archive(web_index)


@pytest.fixture
def document(client):
    return client.get("/api/openapi.json").get_json()


def search_parameter(document, name):
    params = document["paths"]["/api/search"]["get"]["parameters"]
    return next(p for p in params if p["name"] == name)


@pytest.mark.parametrize("size", [limits.MIN_FACET_SIZE - 1, limits.MAX_FACET_SIZE + 1])
def test_facet_size_bounds_are_the_same_for_archive_api_and_openapi(
    archive, client, document, size
):
    with pytest.raises(SearchError) as raised:
        archive.search("", facet_size=size)
    assert raised.value.parameter == "facet_size"
    answer = client.get(f"/api/search?facet_size={size}")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["parameter"] == "facet_size"
    schema = search_parameter(document, "facet_size")["schema"]
    assert (schema["minimum"], schema["maximum"]) == (limits.MIN_FACET_SIZE, limits.MAX_FACET_SIZE)
    for edge in (limits.MIN_FACET_SIZE, limits.MAX_FACET_SIZE):
        assert client.get(f"/api/search?facet_size={edge}").status_code == 200
        assert archive.search("", facet_size=edge)["total"] > 0


@pytest.mark.parametrize(
    ("text", "valid"),
    [("2017", True), ("2017-06", True), ("2017-06-19", True), ("2017-6", False),
     ("2017-06-9", False), ("17", False), ("2017/06", False)],
)  # fmt: skip
def test_dates_are_read_alike_by_the_engine_and_the_api(archive, client, text, valid):
    """One date pattern: the API, parse_bound and the query's date: syntax agree."""
    if valid:
        parse_bound(text, end=False)
        assert client.get(f"/api/search?from={text}").status_code == 200
    else:
        with pytest.raises(ValueError):
            parse_bound(text, end=False)
        assert client.get(f"/api/search?from={text}").status_code == 400
        with pytest.raises(SearchError):
            archive.search("", date_from=text)


def test_openapi_filter_values_follow_the_server_limit(client, document):
    """The document allows as many values in one facet as the server accepts in all."""
    schema = search_parameter(document, "person")["schema"]
    assert schema["maxItems"] == limits.MAX_FILTER_VALUES
    most = "&".join(f"person=p{i}" for i in range(limits.MAX_FILTER_VALUES))
    assert client.get(f"/api/search?{most}").status_code == 200
    answer = client.get(f"/api/search?{most}&place=one-too-many")
    assert answer.status_code == 400


def test_sorts_and_ids_come_from_limits(archive, client, document):
    schema = search_parameter(document, "sort")["schema"]
    assert schema["enum"] == list(limits.SORTS)
    for sort in limits.SORTS:
        assert archive.search("", sort=sort)["total"] > 0
    id_schema = document["paths"]["/api/articles/{article_id}"]["get"]["parameters"][0]["schema"]
    assert id_schema["pattern"] == f"^{limits.ID_PATTERN}$"
