"""The JSON API against its contract (README, "The web site and the HTTP API"): shapes,
every 4xx, headers, CORS, caching, rate limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search.storage import open_index
from web import create_app
from web.settings import SETTINGS, SettingsError, load_settings

XSS_ID = "xss-1"
XSS_TITLE = "<img src=x onerror=alert(1)>"

SEARCH_KEYS = {"query", "total", "page", "per_page", "took_ms", "corrected", "results", "facets"}
RESULT_KEYS = {"id", "url", "title", "date", "category", "entities", "snippet", "score"}
FACETS = {"person", "organization", "place", "category", "tag", "year"}


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    assert error["message"]
    return error


# ---- /api/search ----


def test_search_shape(client):
    body = client.get("/api/search?q=minsk").get_json()
    assert set(body) >= SEARCH_KEYS
    assert body["query"] == "minsk" and body["page"] == 1 and body["per_page"] == 10
    assert body["total"] >= 3
    assert set(body["facets"]) == FACETS
    hit = body["results"][0]
    assert set(hit) >= RESULT_KEYS
    assert "<mark>" in hit["snippet"] or "<mark>" in hit["title"]
    for values in body["facets"].values():
        for item in values:
            assert set(item) == {"value", "count", "selected"}


def test_no_query_lists_everything_newest_first(client):
    body = client.get("/api/search?per_page=100").get_json()
    assert body["total"] == 24
    dates = [hit["date"] for hit in body["results"] if hit["date"]]
    assert dates == sorted(dates, reverse=True)
    assert body["results"][-1]["date"] is None  # undated sorts last


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=-3", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=ten", "per_page"),
        ("page=101&per_page=100", "page"),
        ("page=10001", "page"),
        ("sort=random", "sort"),
        ("from=2017-13", "from"),
        ("from=17", "from"),
        ("from=2017/06", "from"),
        ("to=2017-02-30", "to"),
        ("to=0000", "to"),
        ("facet_size=101", "facet_size"),
        ("facet_size=0", "facet_size"),
        ("facet_size=x", "facet_size"),
        ("q=" + "a" * 1001, "q"),
        ("q=%00", "q"),
        ("person=" + "p" * 201, "person"),
    ],
)
def test_search_bad_parameters_are_400_naming_them(client, query, parameter):
    error = error_of(client.get(f"/api/search?{query}"), 400)
    assert error["parameter"] == parameter


@pytest.mark.parametrize("value", ["2017", "2017-06", "2017-06-19"])
def test_date_forms(client, value):
    body = client.get(f"/api/search?from={value}&to={value}").get_json()
    assert body["total"] >= 1
    assert all(hit["date"].startswith(value) for hit in body["results"])


def test_unknown_parameters_are_ignored(client):
    assert client.get("/api/search?q=minsk&colour=blue&_x=1").status_code == 200


def test_longest_allowed_query_is_fine(client):
    assert client.get("/api/search?q=" + "minsk " * 166).status_code == 200


def test_filters_or_within_and_across(client):
    one = client.get("/api/search?category=Analysis").get_json()
    both = client.get("/api/search?category=Analysis&category=Economy").get_json()
    narrowed = client.get("/api/search?category=Analysis&category=Economy&tag=economy").get_json()
    assert one["total"] == 2 and both["total"] == 3 and narrowed["total"] == 1
    selected = [f for f in both["facets"]["category"] if f["selected"]]
    assert {f["value"] for f in selected} == {"Analysis", "Economy"}


def test_page_past_the_end_is_empty(client):
    body = client.get("/api/search?q=minsk&page=50").get_json()
    assert body["results"] == [] and body["total"] >= 3


def test_pages_do_not_repeat(client):
    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/api/search?per_page=10&page={page}").get_json()
        seen += [hit["id"] for hit in body["results"]]
    assert len(seen) == len(set(seen)) == 24


# ---- articles, similar, suggest ----


def test_article_record_with_html_url(client):
    body = client.get(f"/api/articles/{XSS_ID}").get_json()
    assert body["id"] == XSS_ID
    assert body["title"].startswith(XSS_TITLE)
    assert body["html_url"].endswith(f"/articles/{XSS_ID}")
    assert {"body", "date", "entities", "tags", "credit", "source"} <= set(body)


@pytest.mark.parametrize("article_id", ["missing", "bad%20id", "x" * 129, "a%2Fb"])
def test_unknown_article_is_404_json(client, article_id):
    error_of(client.get(f"/api/articles/{article_id}"), 404)


def test_similar(client):
    response = client.get(f"/api/articles/{XSS_ID}/similar?limit=3")
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert len(results) <= 3
    assert all(set(hit) >= RESULT_KEYS for hit in results)
    assert XSS_ID not in {hit["id"] for hit in results}


@pytest.mark.parametrize("query", ["limit=51", "limit=0", "limit=x"])
def test_similar_limit_checked(client, query):
    assert error_of(client.get(f"/api/articles/{XSS_ID}/similar?{query}"), 400)["parameter"] == (
        "limit"
    )


def test_corrected_query(client):
    assert client.get("/api/search?q=minks").get_json()["corrected"].lower() == "minsk"


def test_similar_of_unknown_article_is_404(client):
    error_of(client.get("/api/articles/missing/similar"), 404)


def test_suggest(client):
    response = client.get("/api/suggest?q=minsk")
    body = response.get_json()
    assert body["query"] == "minsk"
    assert body["suggestions"][0] == {"text": "Minsk", "kind": "place", "count": 4}
    for item in body["suggestions"]:
        assert set(item) >= {"text", "kind", "count"}


def test_suggest_checks_its_parameters(client):
    assert error_of(client.get("/api/suggest?q=" + "m" * 1001), 400)["parameter"] == "q"
    assert error_of(client.get("/api/suggest?q=m&limit=21"), 400)["parameter"] == "limit"


# ---- health ----


def test_health_ok(client, web_index):
    response = client.get("/api/health")
    assert response.status_code == 200
    # the ingest's commit, then the consolidation's (index/consolidation.py)
    generation = open_index(web_index).latest_generation()
    assert generation == 2
    assert response.get_json() == {"status": "ok", "documents": 24, "generation": generation}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_without_index_is_503(tmp_path):
    client = create_app({"INDEX_DIR": tmp_path / "none", "RATE_LIMIT": "off"}).test_client()
    response = client.get("/api/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and "archive-search ingest" in body["reason"]
    error_of(client.get("/api/search"), 503)


def test_health_with_old_index_is_503(tmp_path, hand_made):
    ingest(tmp_path, [Parsed("t:0", article_from_dict(hand_made[1]))], extract=False)
    (tmp_path / "archive-search.json").write_text(json.dumps({"schema_version": 0}))
    client = create_app({"INDEX_DIR": tmp_path, "RATE_LIMIT": "off"}).test_client()
    response = client.get("/api/health")
    assert response.status_code == 503
    assert "rebuild" in response.get_json()["reason"].lower()


# ---- errors in general ----


def test_unknown_api_path_is_404_json(client):
    error_of(client.get("/api/nothing-here"), 404)


def test_wrong_method_is_405_json(client):
    response = client.post("/api/search")
    error_of(response, 405)
    assert "GET" in response.headers["Allow"]


def test_request_body_too_large_is_413(client):
    error_of(client.get("/api/search", data=b"x" * 70_000), 413)


def test_url_too_long_is_414(client):
    error_of(client.get("/api/search?q=a&pad=" + "x" * 5000), 414)


def test_unexpected_failure_is_a_json_500_without_details(make_app):
    class Broken:
        def search(self, *args, **kwargs):
            raise RuntimeError("secret internals")

        def health(self):
            return {"documents": 0, "generation": 0}

    client = make_app(ARCHIVE=Broken()).test_client()
    response = client.get("/api/search")
    assert "secret" not in error_of(response, 500)["message"]


# ---- openapi, settings, logging ----


def test_openapi_document(client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) >= {
        "/api/search",
        "/api/articles/{article_id}",
        "/api/articles/{article_id}/similar",
        "/api/suggest",
        "/api/health",
    }
    names = {p["name"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    expected = {
        "q",
        "page",
        "per_page",
        "sort",
        "from",
        "to",
        "facet_size",
        "generation",
        "partial",
        "lang",
    }
    assert names == expected | FACETS


def test_settings_from_environment():
    values = load_settings(
        {"ARCHIVE_SEARCH_RATE_LIMIT": "off", "ARCHIVE_SEARCH_ALLOWED_ORIGINS": "https://a.example,"}
    )
    assert values["RATE_LIMIT"] is None
    assert values["ALLOWED_ORIGINS"] == ["https://a.example"]
    assert values["INDEX_DIR"] == Path("data/index")
    assert {s.env for s in SETTINGS} >= {
        "ARCHIVE_SEARCH_INDEX",
        "ARCHIVE_SEARCH_ALLOWED_ORIGINS",
        "ARCHIVE_SEARCH_RATE_LIMIT",
    }


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ("ARCHIVE_SEARCH_RATE_LIMIT", "lots"),
        ("ARCHIVE_SEARCH_MAX_QUERY_LENGTH", "0"),
        ("ARCHIVE_SEARCH_CACHE_SECONDS", "soon"),
    ],
)
def test_bad_settings_name_the_variable(env, value):
    with pytest.raises(SettingsError, match=env):
        load_settings({env: value})


def test_one_json_log_line_per_request(client, capsys):
    client.get("/api/search?q=minsk")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    assert lines[-1]["method"] == "GET" and lines[-1]["path"] == "/api/search"
    assert lines[-1]["status"] == 200 and lines[-1]["duration_ms"] >= 0
