"""Entity pages: search.entities through `Archive.entity`, /api/entities/<kind>/<value> and
/people|organizations|places/<value> on the shared web index, plus a small index built here
whose numbers are known by construction (association vs. raw frequency, mentions, values
with reserved characters and markup)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import Archive

HOSTILE = '<img src=x onerror=alert(1)> "Q&A"'
SLASHED = "AC/DC ../../admin?x=1#top 100%"


def record(i: int, places: list[str], people: list[str] | None = None, **extra) -> dict:
    return {
        "id": f"made-{i}",
        "title": extra.pop("title", f"Report {i}"),
        "date": extra.pop("date", f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00"),
        "body": extra.pop("body", f"Report number {i}."),
        "entities": {"person": people or [], "organization": [], "place": places},
        "source": "test",
        **extra,
    }


def made_records() -> list[dict]:
    """100 articles all naming "United States"; "Pinsk" in 10, "Lida" in 3 of those 10
    only (so Lida is associated with Pinsk, while the United States is merely everywhere),
    "Orsha" in 20 articles of which 2 name Pinsk (less than its base rate)."""
    out = []
    for i in range(100):
        places = ["United States"]
        if i < 10:
            places.append("Pinsk")
        if i < 3:
            places.append("Lida")
        if i in (8, 9) or 50 <= i < 68:
            places.append("Orsha")
        out.append(record(i, places))
    # Mentions: made-4 names Pinsk five times, made-5 three times (title counts too).
    out[4]["body"] = "Pinsk. " * 5
    out[5]["title"] = "Pinsk news"
    out[5]["body"] = "Pinsk and Pinsk again."
    out[51]["entities"]["place"][1] = "ORSHA"  # a second spelling of one value
    out[7]["date"] = None
    out.append(record(100, [SLASHED], [HOSTILE], title="Hostile values"))
    out.append(record(101, [SLASHED], [HOSTILE], title="Hostile values again"))
    out.append(record(102, ["Brest"], date="2005-03-01T10:00:00"))  # 15 years apart
    out.append(record(103, ["Brest"], date="2020-03-01T10:00:00"))
    return out


@pytest.fixture(scope="module")
def made_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("entities") / "index"
    items = [Parsed(f"made:{i}", article_from_dict(r)) for i, r in enumerate(made_records())]
    report = ingest(path, items, extract=False)
    assert report.ok, report.failed
    return path


@pytest.fixture(scope="module")
def made(made_index: Path):
    archive = Archive(made_index)
    assert archive.stats()["documents"] == 104
    yield archive
    archive.close()


@pytest.fixture
def made_client(make_app, made_index: Path):
    return make_app(INDEX_DIR=made_index).test_client()


def g2(a: int, b: int, c: int, d: int) -> float:
    """Dunning's G² of a 2x2 table, written out independently of search.trends."""
    n = a + b + c + d
    cells = [(a, (a + b) * (a + c)), (b, (a + b) * (b + d)), (c, (c + d) * (a + c))]
    cells.append((d, (c + d) * (b + d)))
    return 2 * sum(o * math.log(o * n / e) for o, e in cells if o)


# ---- search.entities through Archive ----


def test_association_ranks_above_raw_frequency(made):
    answer = made.entity("place", "Pinsk")
    assert answer["articles"] == 10
    places = {item["value"]: item for item in answer["related"]["place"]}
    # United States is in all 10 of Pinsk's articles (the most frequent companion) but
    # no more than everywhere else; Orsha is less common with Pinsk than without.
    assert list(places) == ["Lida"]
    lida = places["Lida"]
    assert (lida["count"], lida["articles"]) == (3, 3)
    others = made.stats()["documents"] - 10  # articles without Pinsk, none naming Lida
    assert lida["score"] == pytest.approx(g2(3, 7, 0, others), abs=0.05)


def test_related_counts_match_the_combined_search(client):
    archive_answer = client.get("/api/entities/place/Minsk").get_json()
    checked = 0
    for kind, items in archive_answer["related"].items():
        for item in items:
            both = client.get("/api/search", query_string={"place": "Minsk", kind: item["value"]})
            alone = client.get("/api/search", query_string={kind: item["value"]})
            if kind != "place":
                assert both.get_json()["total"] == item["count"], item
            assert alone.get_json()["total"] == item["articles"], item
            checked += 1
    assert checked >= 3
    scores = [i["score"] for items in archive_answer["related"].values() for i in items]
    assert all(s > 0 for s in scores)


def test_central_articles_have_most_mentions(made):
    central = made.entity("place", "Pinsk")["central"]
    assert [(c["id"], c["mentions"]) for c in central[:2]] == [("made-4", 5), ("made-5", 3)]
    assert all(c["mentions"] >= 1 for c in central)
    counts = [c["mentions"] for c in central]
    assert counts == sorted(counts, reverse=True)


def test_latest_articles_are_newest_first_undated_last(made):
    answer = made.entity("place", "Pinsk")
    latest = answer["latest"]
    assert len(latest) == 10
    dates = [a["date"] for a in latest]
    assert dates[-1] is None and latest[-1]["id"] == "made-7"
    assert dates[:-1] == sorted(dates[:-1], reverse=True)
    assert (answer["first"], answer["last"]) == (min(dates[:-1])[:10], max(dates[:-1])[:10])


def test_timeline_is_the_searchs_timeline(made):
    answer = made.entity("place", "Pinsk", interval="year")
    searched = made.timeline("year", filters={"place": ["Pinsk"]})
    assert searched.pop("timed_out") is False  # an entity's mask needs no query, so no deadline
    assert answer["timeline"] == searched
    assert answer["timeline"]["undated"] == 1


def test_timeline_by_year_for_long_spans_unless_months_are_asked_for(made):
    assert made.entity("place", "Pinsk")["timeline"]["interval"] == "month"
    brest = made.entity("place", "Brest")["timeline"]
    assert (brest["interval"], len(brest["buckets"])) == ("year", 16)
    by_month = made.entity("place", "Brest", interval="month")["timeline"]
    assert (by_month["interval"], len(by_month["buckets"])) == ("month", 15 * 12 + 1)


def test_spellings_seen_and_aliases(made, app):
    orsha = made.entity("place", "orsha")
    assert (orsha["value"], orsha["articles"]) == ("Orsha", 20)
    assert orsha["spellings"] == [{"text": "ORSHA", "articles": 1, "alias": False}]
    pinsk = made.entity("place", "Pinsk")
    assert pinsk["spellings"] == []
    with app.app_context():
        from web import get_archive

        luka = get_archive().entity("person", "Lukashenko")
    assert luka["value"] == "Lukashenka"
    texts = [s["text"] for s in luka["spellings"]]
    assert "Alexander Lukashenko" in texts and "Lukashenka" not in texts
    assert all(s["alias"] for s in luka["spellings"] if s["text"] == "Alexander Lukashenko")


def test_resolution(made):
    assert made.entity_value("place", "  united   STATES ") == "United States"
    assert made.entity_value("place", SLASHED) == SLASHED
    assert made.entity_value("person", "Pinsk") is None  # a place, not a person
    assert made.entity_value("thing", "Pinsk") is None
    assert made.entity_value("place", "Atlantis") is None
    assert made.entity("place", "Atlantis") is None


# ---- the JSON API ----


def test_api_entity_and_its_links(client):
    response = client.get("/api/entities/place/Minsk")
    assert response.status_code == 200 and response.headers["ETag"]
    body = response.get_json()
    assert (body["kind"], body["value"], body["name"]) == ("place", "Minsk", "Minsk")
    assert body["html_url"] == "/places/Minsk"  # relative without ARCHIVE_SEARCH_PUBLIC_URL
    assert urlsplit(body["feed_url"]).path == "/feed.atom"
    assert dict(parse_qsl(urlsplit(body["feed_url"]).query)) == {"place": "Minsk"}
    assert body["articles"] == client.get("/api/search?place=Minsk").get_json()["total"]
    etag = response.headers["ETag"]
    again = client.get("/api/entities/place/Minsk", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_api_links_use_the_public_url(make_app):
    client = make_app(PUBLIC_URL="https://search.example.org").test_client()
    body = client.get("/api/entities/place/Minsk", headers={"Host": "evil.example"}).get_json()
    assert body["html_url"] == "https://search.example.org/places/Minsk"
    assert body["feed_url"] == "https://search.example.org/feed.atom?place=Minsk"
    html = client.get("/places/Minsk").get_data(as_text=True)
    assert '<link rel="canonical" href="https://search.example.org/places/Minsk">' in html


def test_api_alias_redirects_to_canonical(client):
    response = client.get("/api/entities/person/alexander%20lukashenko?interval=year")
    assert response.status_code == 301
    assert response.headers["Location"] == "/api/entities/person/Lukashenka?interval=year"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/entities/people/Minsk", "unknown kind"),
        ("/api/entities/place/Atlantis", "no place called 'Atlantis'"),
        ("/api/entities/person/Minsk", "no person called 'Minsk'"),
    ],
)
def test_api_unknown_kind_or_value_is_404(client, path, message):
    response = client.get(path)
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["status"] == 404 and message in error["message"]


def test_api_bad_interval_is_400(client):
    response = client.get("/api/entities/place/Minsk?interval=week")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "interval"


def test_openapi_documents_the_endpoint(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    operation = paths["/api/entities/{kind}/{value}"]["get"]
    assert {"200", "301", "404"} <= set(operation["responses"])
    kind = next(p for p in operation["parameters"] if p["name"] == "kind")
    assert kind["schema"]["enum"] == ["person", "organization", "place"]


# ---- pages ----


def test_page_shows_the_entity(client):
    response = client.get("/places/Minsk")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Minsk</h1>" in html
    assert 'class="timeline-chart"' in html
    assert '<link rel="canonical" href="/places/Minsk">' in html
    alternate = r'<link rel="alternate" type="application/atom\+xml"[^>]*'
    alternate += r'href="/feed.atom\?place=Minsk"'
    assert re.search(alternate, html)
    assert re.search(r'<a class="follow" href="/feed.atom\?place=Minsk"', html)
    assert "Lukashenka" in html and 'href="/?place=Minsk&amp;person=Lukashenka"' in html
    for heading in ("Mentions over time", "Latest articles", "Most central articles"):
        assert heading in html


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/people/Lukashenko", "/people/Lukashenka"),
        ("/people/ALEXANDER%20LUKASHENKA", "/people/Lukashenka"),
        ("/places/minsk?interval=year", "/places/Minsk?interval=year"),
        ("/organizations/Collective%20Security%20Treaty%20Organization", "/organizations/CSTO"),
    ],
)
def test_any_spelling_redirects_permanently(client, path, location):
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["Location"] == location


def test_unknown_entity_page_is_404(client):
    response = client.get("/people/Nobody%20At%20All")
    assert response.status_code == 404
    assert "no person called" in response.get_data(as_text=True)


def test_reserved_characters_and_markup_are_safe(made_client):
    for kind, segment, value in (("place", "places", SLASHED), ("person", "people", HOSTILE)):
        url = f"/{segment}/{quote(value, safe='')}"
        page = made_client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        api = made_client.get(f"/api/entities/{kind}/{quote(value, safe='')}")
        assert api.status_code == 200 and api.get_json()["value"] == value
        assert api.get_json()["html_url"].endswith(url)
    # The slashed value is one path segment in every link: it can never climb the path.
    html = made_client.get(f"/places/{quote(SLASHED, safe='')}").get_data(as_text=True)
    assert "/people/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%20%22Q%26A%22" in html


def test_article_entity_links_lead_to_entity_pages(client):
    html = client.get("/articles/belarus-1").get_data(as_text=True)
    aside = html[html.index('id="entities-heading"') :]
    links = re.findall(r'href="(/(?:people|organizations|places)/[^"]+)"', aside)
    assert {"/people/Lukashenka", "/organizations/CSTO", "/places/Minsk", "/places/Russia"} <= set(
        links
    )
    for link in links:
        assert client.get(link).status_code == 200, link


def test_facet_values_link_to_entity_pages_beside_the_toggle(client):
    html = client.get("/?q=minsk").get_data(as_text=True)
    aside = html[html.index('id="facets-heading"') :]
    items = re.findall(r"<li>(.*?)</li>", aside, flags=re.S)
    person_items = [i for i in items if 'href="/people/' in i]
    assert person_items
    for item in person_items:
        toggle, page = re.findall(r'href="([^"]+)"', item)
        assert "person=" in toggle and toggle.startswith("/?")
        assert page.startswith("/people/") and client.get(page).status_code == 200
    category_items = [i for i in items if "category=" in i]
    assert category_items and not any("/people/" in i for i in category_items)
