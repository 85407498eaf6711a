"""Ingest refuses what would be unsafe to publish or expensive to read: non-http(s) URLs,
symbolic links out of the folder given, link loops under `**`, feeds declaring entities,
and unbounded text per feed item."""

from __future__ import annotations

import concurrent.futures
import json
import os

import pytest

from index.readers import Notice, Parsed, Problem, expand_paths, feeds, read_path, read_paths
from index.writer import ingest
from search import Archive
from web.cli import main as cli_main


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>x</script>",
     "vbscript:msgbox(1)", "file:///etc/passwd"],
)  # fmt: skip
def test_non_http_urls_are_dropped_with_a_warning(tmp_path, url):
    path = tmp_path / "a.jsonl"
    record = {"id": "a1", "title": "Minsk", "body": "Text.", "url": url}
    good = {"id": "a2", "title": "Minsk", "body": "Text.", "url": "https://example.org/a2"}
    path.write_text(json.dumps(record) + "\n" + json.dumps(good) + "\n")
    items = list(read_path(str(path)))
    assert [type(i) for i in items] == [Parsed, Parsed]
    assert items[0].article.url is None and "only http and https" in items[0].notices[0]
    assert items[1].article.url == "https://example.org/a2" and not items[1].notices
    report = ingest(tmp_path / "index", items, extract=False)
    assert report.ok and report.added == 2
    assert [w.where for w in report.warnings] == [f"{path}:1"]
    assert "warnings 1" in report.summary()
    assert Archive(tmp_path / "index").article("a1")["url"] is None


def test_cli_prints_each_warning(tmp_path, capsys):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"title": "Minsk", "body": "x", "url": "javascript:1"}) + "\n")
    status = cli_main(["ingest", "--no-extract", "--index", str(tmp_path / "ix"), str(path)])
    out = capsys.readouterr()
    assert status == 0
    assert f"warning: {path}:1: url 'javascript:1' dropped" in out.err
    assert "warnings 1" in out.out


def test_links_out_of_the_folder_are_skipped_and_reported(tmp_path):
    secret = tmp_path / "home" / "id_rsa.txt"
    secret.parent.mkdir()
    secret.write_text("PRIVATE KEY")
    mirror = tmp_path / "mirror"
    (mirror / "sub").mkdir(parents=True)
    (mirror / "article.txt").write_text("A title\n\nBody.")
    (mirror / "key.txt").symlink_to(secret)
    (mirror / "home").symlink_to(secret.parent, target_is_directory=True)
    (mirror / "sub" / "same.txt").symlink_to(mirror / "article.txt")  # inside: kept
    found = list(expand_paths([str(mirror)]))
    paths = [f for f in found if isinstance(f, str)]
    notices = {f.where: f.reason for f in found if isinstance(f, Notice)}
    assert paths == [str(mirror / "article.txt")]  # the inside link is the same file
    assert set(notices) == {str(mirror / "key.txt"), str(mirror / "home")}
    assert all("symbolic link" in reason for reason in notices.values())
    report = ingest(tmp_path / "index", read_paths([str(mirror)]), extract=False)
    assert report.ok and report.added == 1 and len(report.warnings) == 2
    assert "PRIVATE" not in json.dumps(Archive(tmp_path / "index").search("")["results"])


def test_globs_do_not_follow_link_loops(tmp_path):
    root = tmp_path / "site"
    (root / "a").mkdir(parents=True)
    (root / "a" / "x.jsonl").write_text("{}\n")
    (root / "a" / "loop").symlink_to(root, target_is_directory=True)
    (root / "a" / "self").symlink_to(root / "a", target_is_directory=True)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        found = pool.submit(lambda: list(expand_paths([f"{root}/**/*.jsonl"]))).result(60)
    assert found == [str(root / "a" / "x.jsonl")]
    outside = tmp_path / "outside.jsonl"
    outside.write_text("{}\n")
    (root / "a" / "out.jsonl").symlink_to(outside)
    found = list(expand_paths([f"{root}/a/*.jsonl"]))
    assert str(root / "a" / "x.jsonl") in found
    assert [f.where for f in found if isinstance(f, Notice)] == [str(root / "a" / "out.jsonl")]


ENTITY_FEED = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<rss version="2.0"><channel><title>T</title>
<item><title>Boom</title><link>https://example.org/1</link><description>&c;&c;&c;</description></item>
</channel></rss>
"""


def test_feeds_declaring_entities_are_refused(tmp_path):
    path = tmp_path / "boom.rss"
    path.write_bytes(ENTITY_FEED)
    items = list(read_path(str(path), "feed"))
    assert len(items) == 1 and isinstance(items[0], Problem)
    assert items[0].where == str(path) and "declares entities" in items[0].reason


def test_public_doctype_without_entities_is_still_read(tmp_path):
    path = tmp_path / "ok.rss"
    path.write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91'
        b'//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91">'
        b"<channel><title>T</title><item><title>Minsk</title><link>https://example.org/1</link>"
        b"<description>Text</description></item></channel></rss>"
    )
    (item,) = read_path(str(path))
    assert isinstance(item, Parsed) and item.article.title == "Minsk"


def test_feed_item_text_is_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_ITEM_CHARS", 1000)
    body = "word " * 2000
    path = tmp_path / "big.rss"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        f"<title>Big</title><link>https://example.org/big</link><description>{body}"
        "</description></item></channel></rss>"
    )
    (item,) = read_path(str(path))
    assert isinstance(item, Parsed) and len(item.article.body) <= 1000
    assert item.notices == ("body cut to its first 1,000 characters",)


def test_symlink_support(tmp_path):
    """The tests above need symbolic links; fail loudly where they are unavailable."""
    (tmp_path / "link").symlink_to(tmp_path)
    assert os.path.islink(tmp_path / "link")
