"""Atom feeds (/feed.atom): parsed with feedparser, checked as XML against RFC 4287's
required elements, compared with the same search through /api/search, ETag and 304,
the API's 400 for bad parameters, and the Follow links on the pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import feedparser
import pytest
from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
URN_UUID = re.compile(
    r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
)
PUBLIC = "https://search.example.org/archive"


def atom(client, query: str = "", **headers):
    return client.get(f"/feed.atom{query}", headers=headers)


def parse_xml(response) -> etree._Element:
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    root = etree.fromstring(response.data)  # raises on XML that is not well-formed
    assert root.tag == f"{ATOM}feed"
    return root


def check_required(root: etree._Element) -> None:
    """RFC 4287: feed id, title, updated, an author (feed or every entry); entry id, title,
    updated; ids are absolute IRIs; dates are RFC 3339 with a zone."""
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert root.find(f"{ATOM}author/{ATOM}name").text
    assert URN_UUID.fullmatch(root.findtext(f"{ATOM}id"))
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert URN_UUID.fullmatch(entry.findtext(f"{ATOM}id"))
    for stamp in root.iter(f"{ATOM}updated", f"{ATOM}published"):
        assert datetime.fromisoformat(stamp.text).tzinfo is not None
    self_links = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert len(self_links) == 1


def test_feed_is_the_newest_matching_articles(client):
    response = atom(client, "?q=minsk")
    root = parse_xml(response)
    check_required(root)
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    api = client.get("/api/search?q=minsk&sort=newest&per_page=20").get_json()
    dated = [hit for hit in api["results"] if hit["date"]]
    assert len(dated) >= 3 and len(dated) < api["total"]  # the undated match is left out
    assert [e.link for e in parsed.entries] == [f"/articles/{hit['id']}" for hit in dated]
    updated = [e.updated_parsed for e in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    assert parsed.feed.updated_parsed == updated[0]


def test_titles_and_summaries_are_plain_text(client, hand_made):
    hostile = next(r for r in hand_made if "<img" in r["title"])
    root = parse_xml(atom(client, "?q=minsk+security"))
    entries = {e.find(f"{ATOM}link").get("href")[10:]: e for e in root.findall(f"{ATOM}entry")}
    xss = entries[hostile["id"]]
    # The title is the article's own text (an XSS payload, as text), never highlighted HTML.
    assert xss.findtext(f"{ATOM}title") == hostile["title"]
    assert xss.find(f"{ATOM}title").get("type") in (None, "text")
    for entry in entries.values():
        summary = entry.findtext(f"{ATOM}summary")
        assert summary and "<mark>" not in summary and "&lt;mark" not in summary
    assert xss.findtext(f"{ATOM}summary").startswith("<script>alert(1)</script> Minsk hosted")


def test_entry_ids_are_stable(client, make_app):
    first = feedparser.parse(atom(client, "?person=Lukashenka").data)
    second = feedparser.parse(atom(client, "?person=Lukashenka&sort=oldest&page=3").data)
    assert [e.id for e in first.entries] == [e.id for e in second.entries]
    assert len(first.entries) == 3 and len({e.id for e in first.entries}) == 3
    public = make_app(PUBLIC_URL=PUBLIC).test_client()
    other = feedparser.parse(atom(public, "?person=Lukashenka").data)
    assert [e.id for e in other.entries] == [e.id for e in first.entries]
    assert other.feed.id == first.feed.id
    assert [e.link for e in other.entries] == [PUBLIC + e.link for e in first.entries]


def test_links_never_come_from_the_host_header(make_app):
    public = make_app(PUBLIC_URL=PUBLIC).test_client()
    for client, base in ((make_app().test_client(), ""), (public, PUBLIC)):
        honest = atom(client, "?place=Minsk")
        forged = client.get("/feed.atom?place=Minsk", headers={"Host": "evil.example"})
        assert forged.data == honest.data and forged.headers["ETag"] == honest.headers["ETag"]
        root = parse_xml(honest)
        hrefs = [link.get("href") for link in root.iter(f"{ATOM}link")]
        assert f"{base}/feed.atom?place=Minsk" in hrefs and f"{base}/?place=Minsk" in hrefs
        assert all(h.startswith(f"{base}/") and "evil" not in h for h in hrefs)


def test_filters_and_dates_narrow_the_feed(client):
    whole = feedparser.parse(atom(client).data)
    assert len(whole.entries) == 20
    narrowed = feedparser.parse(atom(client, "?place=Minsk&from=2017-09&to=2018").data)
    assert [e.link.rsplit("/", 1)[1] for e in narrowed.entries] == ["belarus-2", "belarus-1"]
    assert "place: Minsk" in narrowed.feed.title and "from 2017-09" in narrowed.feed.title


def test_empty_feed_is_still_valid(client):
    response = atom(client, "?q=zzzzqqqq+nothingmatches")
    check_required(parse_xml(response))
    parsed = feedparser.parse(response.data)
    assert parsed.entries == [] and not parsed.bozo
    newest = client.get("/api/search?sort=newest&per_page=1").get_json()["results"][0]["date"]
    stamp = datetime(*parsed.feed.updated_parsed[:6], tzinfo=UTC)
    assert stamp == datetime.fromisoformat(newest).replace(tzinfo=UTC)


def test_etag_and_304(client):
    first = atom(client, "?q=minsk")
    etag = first.headers["ETag"]
    assert etag and "no-cache" in first.headers["Cache-Control"]
    again = atom(client, "?q=minsk", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    other = atom(client, "?q=belarus", **{"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_etag_changes_with_a_new_ingest(make_app, tmp_path, hand_made):
    from index.readers import Parsed
    from index.records import article_from_dict
    from index.writer import ingest

    path = tmp_path / "index"
    items = [Parsed(f"t:{i}", article_from_dict(r)) for i, r in enumerate(hand_made)]
    assert ingest(path, items[:2], extract=False).ok
    client = make_app(INDEX_DIR=path).test_client()
    before = atom(client, "?place=Minsk")
    assert len(feedparser.parse(before.data).entries) == 2
    assert ingest(path, items[2:], extract=False).ok
    after = atom(client, "?place=Minsk", **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert len(feedparser.parse(after.data).entries) == 3


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?from=2017-13", "from"),
        ("?to=yesterday", "to"),
        ("?q=" + "x" * 1001, "q"),
        ("?q=a%00b", "q"),
        ("?person=" + "y" * 300, "person"),
        ("?" + "&".join(f"tag=t{i}" for i in range(51)), "person"),
    ],
)
def test_bad_parameters_get_the_apis_400(client, query, parameter):
    response = atom(client, query)
    assert response.status_code == 400
    assert response.content_type == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["parameter"] == parameter and error["message"]


def test_search_page_has_a_follow_link(client):
    html = client.get("/?q=minsk&place=Minsk&sort=oldest&page=2&per_page=5").get_data(as_text=True)
    alternate = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*>', html)
    assert alternate
    href = unescape(re.search(r'href="([^"]+)"', alternate.group(0)).group(1))
    assert href == "/feed.atom?q=minsk&place=Minsk"  # sort and paging are not part of a feed
    follow = re.search(r'<a class="follow" href="([^"]+)"[^>]*>Follow this search', html)
    assert follow and unescape(follow.group(1)) == href
    assert atom(client, href[len("/feed.atom") :]).status_code == 200
