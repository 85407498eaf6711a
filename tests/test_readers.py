"""Source readers: the seed page text, JSONL, HTML, feeds, detection and bad input."""

from __future__ import annotations

import gzip
import io
import shutil
import sys
from datetime import datetime
from pathlib import Path

import pytest

from index.readers import (
    FORMATS,
    Parsed,
    Problem,
    detect_format,
    expand_paths,
    read_path,
    read_paths,
)
from index.readers.jsonl import MAX_LINE_BYTES
from index.records import derive_id

DATA = Path(__file__).parent / "data" / "readers"


def read(path: Path | str, format: str | None = None) -> tuple[list[Parsed], list[Problem]]:
    results = list(read_path(str(path), format))
    parsed = [r for r in results if isinstance(r, Parsed)]
    problems = [r for r in results if isinstance(r, Problem)]
    assert len(parsed) + len(problems) == len(results)
    return parsed, problems


def only_articles(path: Path | str, format: str | None = None) -> list:
    parsed, problems = read(path, format)
    assert problems == []
    return [p.article for p in parsed]


# --- the seed page text -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> list:
    return only_articles(DATA / "seed.txt")


def test_seed_gives_exactly_two_articles(seed):
    assert len(seed) == 2


def test_seed_main_article(seed):
    main = seed[0]
    assert main.title == "Minsk has demonstrated scope of commitment to CSTO"
    assert main.date == datetime(2017, 6, 19, 12, 17)
    assert main.teaser is False
    assert main.category is None
    assert main.credit == '"Белорусская военная газета"'
    assert main.source == "pagetext"
    paragraphs = main.body.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("The participating states have used the CSTO")
    assert paragraphs[-1].endswith("which is common for the post-Soviet formations.")
    assert main.id == derive_id(None, main.title, main.date)


@pytest.mark.parametrize(
    "forbidden",
    ["Фото", "Белорусская военная газета", "Similar articles", "Recent trends", "Catholic",
     "Minsk attempts to make up", "Category", "June 19, 2017"],
)  # fmt: skip
def test_seed_main_body_has_no_furniture(seed, forbidden):
    assert forbidden not in seed[0].body


def test_seed_teaser(seed):
    teaser = seed[1]
    assert teaser.title == (
        "Minsk attempts to make up for image losses from military exercises "
        "by opening to Western values"
    )
    assert teaser.date == datetime(2017, 10, 2, 11, 49)
    assert teaser.teaser is True
    assert teaser.credit == "Catholic.by"
    paragraphs = teaser.body.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The Belarusian authorities regard the Catholic conference")
    assert paragraphs[-1].endswith("religious, sportive and other dialogues.")
    for forbidden in ("Image:", "Recent trends", "October 02", "CSTO"):
        assert forbidden not in teaser.body
    assert teaser.id != seed[0].id


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


PAGE = """header -->

A title
Category: economy
March 3, 2019 08:00
{credit}

First paragraph
wraps onto a second line.

{body_credit}

Second paragraph.
"""


@pytest.mark.parametrize("label", ["Фото", "Photo", "Image", "Foto", "photo"])
def test_pagetext_credit_lines_in_any_language(tmp_path, label):
    text = PAGE.format(credit=f"{label}: Someone", body_credit="Photo: in-body credit")
    [article] = only_articles(write(tmp_path, "p.txt", text))
    assert article.credit == "Someone"
    assert article.category == "economy"
    assert article.date == datetime(2019, 3, 3, 8, 0)
    assert article.body == "First paragraph\nwraps onto a second line.\n\nSecond paragraph."


def test_pagetext_impossible_date_is_a_problem_naming_the_line(tmp_path):
    text = PAGE.format(credit="", body_credit="").replace("March 3, 2019", "February 30, 2017")
    parsed, problems = read(write(tmp_path, "p.txt", text))
    assert parsed == []
    [problem] = problems
    assert problem.where == f"{tmp_path / 'p.txt'}:5"
    assert "impossible date" in problem.reason and "February 30, 2017" in problem.reason


def test_pagetext_bad_teaser_date_keeps_the_rest(tmp_path):
    text = (DATA / "seed.txt").read_text().replace("October 02, 2017", "October 32, 2017")
    parsed, problems = read(write(tmp_path, "s.txt", text))
    assert [p.article.title for p in parsed] == [
        "Minsk has demonstrated scope of commitment to CSTO"
    ]
    [problem] = problems
    assert problem.where.endswith("s.txt:22") and "October 32, 2017" in problem.reason


def test_pagetext_invalid_utf8_names_the_line(tmp_path):
    path = write(tmp_path, "p.txt", b"header -->\nTitle\n\nok\nbad \xff byte\n")
    parsed, problems = read(path)
    assert parsed == []
    assert problems == [Problem(f"{path}:5", "invalid UTF-8: byte 0xff")]


# --- JSONL ---------------------------------------------------------------------------------


def test_jsonl_plain():
    articles = only_articles(DATA / "good.jsonl")
    assert [a.id for a in articles[::2]] == ["demo-1", "demo-3"]
    assert articles[0].date == datetime(2018, 3, 14, 6, 30)  # offset converted to UTC
    assert articles[0].body == "Trade grew.\n\nOfficials welcomed it."
    assert articles[1].id == derive_id(None, "No id given", datetime(2018, 3, 15, 10, 0))


def test_jsonl_where_is_path_and_line():
    parsed, _ = read(DATA / "good.jsonl")
    assert [p.where for p in parsed] == [f"{DATA / 'good.jsonl'}:{n}" for n in (1, 2, 4)]


def test_jsonl_gzip(tmp_path):
    path = tmp_path / "good.jsonl.gz"
    path.write_bytes(gzip.compress((DATA / "good.jsonl").read_bytes()))
    assert [a.title for a in only_articles(path)] == [
        a.title for a in only_articles(DATA / "good.jsonl")
    ]


@pytest.mark.parametrize("compress", [False, True])
def test_jsonl_from_stdin(monkeypatch, compress):
    data = (DATA / "good.jsonl").read_bytes()
    stdin = io.TextIOWrapper(io.BytesIO(gzip.compress(data) if compress else data))
    monkeypatch.setattr(sys, "stdin", stdin)
    results = list(read_paths(["-"]))
    assert [r.where for r in results] == ["<stdin>:1", "<stdin>:2", "<stdin>:4"]
    assert all(isinstance(r, Parsed) for r in results)


def test_jsonl_bad_lines_are_problems_and_good_lines_still_read():
    path = DATA / "mixed.jsonl"
    parsed, problems = read(path)
    assert [p.article.id for p in parsed] == ["ok-1", "ok-2"]
    reasons = {p.where: p.reason for p in problems}
    assert reasons == {
        f"{path}:2": "malformed JSON: Expecting ',' delimiter at column 45",
        f"{path}:3": "record has neither title nor body",
        f"{path}:4": "date: '2017-02-30' is not an ISO 8601 date (day is out of range for month)",
        f"{path}:5": "expected a JSON object, got list",
        f"{path}:6": "id: 'bad id with spaces' does not match [A-Za-z0-9._:-]{1,128}",
    }


def test_jsonl_invalid_utf8_line(tmp_path):
    path = write(tmp_path, "u.jsonl", b'{"title": "a"}\n{"title": "caf\xe9"}\n{"title": "b"}\n')
    parsed, problems = read(path)
    assert [p.article.title for p in parsed] == ["a", "b"]
    assert problems == [Problem(f"{path}:2", "invalid UTF-8: byte 0xe9 at byte 15")]


def test_jsonl_lone_surrogate_escape_is_a_problem(tmp_path):
    path = write(tmp_path, "s.jsonl", '{"title": "x\\ud800y"}\n{"title": "ok"}\n')
    parsed, problems = read(path)
    assert [p.article.title for p in parsed] == ["ok"]
    assert problems[0].where == f"{path}:1" and "surrogate" in problems[0].reason


def test_jsonl_truncated_gzip_keeps_lines_before_the_cut(tmp_path):
    lines = b"".join(
        b'{"title": "article %d", "body": "%s"}\n' % (i, b"x" * 50) for i in range(2000)
    )
    blob = gzip.compress(lines)
    path = write(tmp_path, "cut.jsonl.gz", blob[: len(blob) // 2])
    parsed, problems = read(path)
    assert 0 < len(parsed) < 2000
    assert [p.article.title for p in parsed] == [f"article {i}" for i in range(len(parsed))]
    [problem] = problems
    assert problem.where == str(path)
    assert problem.reason.startswith("truncated gzip")


def test_jsonl_corrupt_gzip(tmp_path):
    blob = bytearray(gzip.compress(b'{"title": "a"}\n' * 1000))
    blob[30:60] = b"\x00" * 30
    parsed, problems = read(write(tmp_path, "bad.jsonl.gz", bytes(blob)))
    assert len(problems) == 1 and "gzip" in problems[0].reason


def test_jsonl_50mb_line_is_refused_without_decoding(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as out:
        out.write(b'{"title": "before"}\n{"title": "huge", "body": "')
        out.write(b"x" * (50 * 1024 * 1024))
        out.write(b'"}\n{"title": "after"}\n')
    parsed, problems = read(path)
    assert [p.article.title for p in parsed] == ["before", "after"]
    [problem] = problems
    assert problem.where == f"{path}:2"
    assert "line too long" in problem.reason and f"{MAX_LINE_BYTES:,}" in problem.reason


def test_jsonl_field_over_records_limit_is_a_problem(tmp_path):
    path = write(tmp_path, "big.jsonl", '{"title": "t", "body": "%s"}\n' % ("y" * 2_000_001))
    _, [problem] = read(path)
    assert problem.where == f"{path}:1" and problem.reason.startswith("body: 2,000,001 characters")


def test_jsonl_deeply_nested(tmp_path):
    path = write(tmp_path, "deep.jsonl", "[" * 100_000 + "]" * 100_000 + '\n{"title": "ok"}\n')
    parsed, [problem] = read(path)
    assert [p.article.title for p in parsed] == ["ok"]
    assert problem.where.endswith("deep.jsonl:1") and "nested too deeply" in problem.reason


@pytest.mark.slow
@pytest.mark.parametrize("name, count", [("reuters21578", 20_841), ("wikinews-en", 293)])
def test_real_corpora_read_without_problems(name, count, corpora):
    parsed, problems = read(corpora / f"{name}.jsonl.gz")
    assert len(parsed) == count
    assert problems == []
    assert len({p.article.id for p in parsed}) == count


# --- HTML ----------------------------------------------------------------------------------


def test_html_article_page():
    [article] = only_articles(DATA / "article.html")
    assert article.title == "Border trade rises again"
    assert article.date == datetime(2018, 3, 14, 6, 30)  # article:published_time, in UTC
    assert article.url == "https://analysis.example.org/2018/03/border-trade"
    assert article.category == "Economy"
    assert article.source == "Example Analysis"
    assert article.language == "en"
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("Trade across the western border grew")
    assert paragraphs[-1].endswith("seasonal demand for agricultural products peaks.")
    for boilerplate in ("navigation link", "Subscribe", "Sidebar headline", "Footer boilerplate",
                        "Privacy policy", "do not index this", "font-family", "Home"):  # fmt: skip
        assert boilerplate not in article.body


def test_html_without_metadata_falls_back_to_title_element():
    [article] = only_articles(DATA / "page.htm")
    assert article.title == "Plain page title"
    assert article.date is None and article.url is None and article.source == "html"
    assert article.body.startswith("This page has no publisher metadata")
    assert "Menu link" not in article.body and "Plain page title" not in article.body


def test_html_bad_date_and_empty_page(tmp_path):
    page = (DATA / "article.html").read_text().replace("2018-03-14T09:30", "2017-02-30T09:30")
    _, [problem] = read(write(tmp_path, "bad.html", page))
    assert problem.where == str(tmp_path / "bad.html") and "2017-02-30" in problem.reason
    _, [problem] = read(
        write(tmp_path, "empty.html", "<html><head><title>T</title></head><body> </body></html>")
    )
    assert problem.reason == "no article text found in the HTML page"


# --- feeds ---------------------------------------------------------------------------------


def test_rss_feed():
    path = DATA / "feed.rss"
    parsed, problems = read(path)
    assert problems == []
    assert [p.where for p in parsed] == [f"{path}#item{n}" for n in (1, 2, 3)]
    full, summary_only, undated = (p.article for p in parsed)
    assert full.url == "https://analysis.example.org/2018/08/grain-harvest"
    assert full.date == datetime(2018, 8, 21, 11, 5)
    assert full.body == (
        "The grain harvest this year is larger than the ministry forecast in spring.\n\n"
        "Farmers credit the wet June and new seed varieties."
    )  # content:encoded preferred to the description; HTML to text, script dropped
    assert full.tags == ["Economy", "Agriculture"]
    assert full.source == "Example Analysis" and full.language == "en"
    assert summary_only.body == (
        "Deputies met for the first sitting of the autumn session.\n\n"
        "Twelve bills are on the agenda."
    )
    assert summary_only.date == datetime(2018, 10, 2, 9, 0)
    assert undated.date is None and undated.body == "A note without a publication date."


def test_atom_feed():
    articles = only_articles(DATA / "feed.atom")
    railway, updated = articles
    assert railway.title == "Railway link to the border reopens"
    assert railway.url == "https://atom.example.org/2019/05/railway"
    assert railway.date == datetime(2019, 5, 1, 6, 15)  # published, not updated
    assert railway.body.split("\n\n") == [
        "Passenger trains run again on the line to the border after two years of repairs.",
        "Four trains a day are planned.",
    ]
    assert railway.tags == ["transport"]
    assert updated.date == datetime(2019, 5, 2, 10, 0)  # falls back to updated
    assert updated.body == "Plain summary text <not a tag>."  # text type kept as is


def test_feed_bad_items_are_problems(tmp_path):
    feed = """<rss><channel><title>T</title>
    <item><title>bad date</title><pubDate>Thu, 30 Feb 2017 10:00:00 GMT</pubDate></item>
    <item></item>
    <item><title>fine</title></item></channel></rss>"""
    path = write(tmp_path, "f.rss", feed)
    parsed, problems = read(path)
    assert [p.article.title for p in parsed] == ["fine"]
    assert [p.where for p in problems] == [f"{path}#item1", f"{path}#item2"]
    assert "Thu, 30 Feb 2017" in problems[0].reason
    assert problems[1].reason == "record has neither title nor body"


def test_feed_not_xml(tmp_path):
    _, [problem] = read(write(tmp_path, "f.xml", "this is not < a feed"))
    assert problem.reason.startswith(("not a valid feed", "feed has no items"))


# --- detection, formats, paths, per-file problems ---------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [("a.jsonl", "jsonl"), ("A.JSONL.GZ", "jsonl"), ("a.json", "jsonl"), ("a.ndjson", "jsonl"),
     ("a.txt", "pagetext"), ("a.html", "html"), ("a.htm", "html"), ("a.xml", "feed"),
     ("a.rss", "feed"), ("a.atom", "feed"), ("a.unknown", None)],
)  # fmt: skip
def test_detect_by_extension(name, expected):
    assert detect_format(name, b"") == expected


@pytest.mark.parametrize(
    "head, expected",
    [(b"\x1f\x8b\x08\x00", "jsonl"), (b'  {"title": 1}', "jsonl"), (b"\xef\xbb\xbf{", "jsonl"),
     (b'<?xml version="1.0"?>\n<rss version="2.0">', "feed"), (b"<feed xmlns=", "feed"),
     (b'<?xml version="1.0"?>', "feed"), (b"<!DOCTYPE html><html>", "html"),
     (b"<html lang=en>", "html"), (b"header -->\n\nTitle", "pagetext"),
     (b"plain words", None), (b"\x00\x01\x02", None)],
)  # fmt: skip
def test_detect_by_content(head, expected):
    assert detect_format("download", head) == expected


@pytest.mark.parametrize(
    "source, name",
    [("seed.txt", "noext"), ("article.html", "page"), ("feed.rss", "f"), ("good.jsonl", "d")],
)
def test_files_without_extension_are_sniffed(tmp_path, source, name):
    shutil.copy(DATA / source, tmp_path / name)
    assert len(only_articles(tmp_path / name)) == len(only_articles(DATA / source))


def test_format_overrides_extension(tmp_path):
    shutil.copy(DATA / "seed.txt", tmp_path / "seed.data.html")
    assert len(only_articles(tmp_path / "seed.data.html", "pagetext")) == 2
    shutil.copy(DATA / "good.jsonl", tmp_path / "records.txt")
    assert len(only_articles(tmp_path / "records.txt", "jsonl")) == 3


def test_unknown_format_is_a_usage_error():
    assert FORMATS == ("jsonl", "pagetext", "html", "feed")
    with pytest.raises(ValueError, match="unknown format 'csv'"):
        read_path(str(DATA / "seed.txt"), "csv")
    with pytest.raises(ValueError, match="unknown format"):
        read_paths([str(DATA)], "xml")


@pytest.mark.parametrize(
    "name, content, reason",
    [("empty.jsonl", b"", "empty file"),
     ("empty.txt", b"", "empty file"),
     ("bin.jsonl", b"\x00\x01\x02\xff" * 100, "binary data (NUL bytes), not a text format"),
     ("bin.dat", b"\x89PNG\r\n\x1a\n\x00\x00", "binary data (NUL bytes), not a text format"),
     ("words", b"just some words", "unrecognized format: use --format jsonl|pagetext|html|feed")],
)  # fmt: skip
def test_per_file_problems(tmp_path, name, content, reason):
    path = write(tmp_path, name, content)
    assert list(read_path(str(path))) == [Problem(str(path), reason)]


def test_a_bad_file_never_stops_the_batch(tmp_path):
    write(tmp_path, "a_empty.jsonl", b"")
    write(tmp_path, "b_binary.html", b"\x00" * 10)
    write(tmp_path, "c_cut.jsonl.gz", gzip.compress(b'{"title": "x"}\n' * 500)[:40])
    shutil.copy(DATA / "seed.txt", tmp_path / "d_seed.txt")
    results = list(read_paths([str(tmp_path), str(tmp_path / "missing.jsonl")]))
    assert [type(r).__name__ for r in results] == ["Problem"] * 3 + ["Parsed"] * 2 + ["Problem"]
    assert results[-1] == Problem(str(tmp_path / "missing.jsonl"), "no such file or directory")


def test_unreadable_path_is_a_problem(tmp_path):
    (tmp_path / "dir.jsonl").mkdir()
    [problem] = read_path(str(tmp_path / "dir.jsonl"))
    assert problem.where == str(tmp_path / "dir.jsonl") and problem.reason.startswith("cannot read")


def test_expand_paths_folders_globs_and_stdin(tmp_path):
    for name in ("b.jsonl", "a.txt", "sub/c.html", "sub/.hidden.jsonl", ".git/x.jsonl",
                 "logo.png", "noext"):  # fmt: skip
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("x")
    expanded = list(expand_paths([str(tmp_path), "-", str(tmp_path / "*.jsonl"), "nope*.x"]))
    assert expanded == [
        str(tmp_path / "a.txt"),
        str(tmp_path / "b.jsonl"),
        str(tmp_path / "noext"),
        str(tmp_path / "sub" / "c.html"),
        "-",
        Problem("nope*.x", "no files match this pattern"),
    ]  # b.jsonl is not repeated for the glob
    assert list(expand_paths([str(tmp_path / "logo.png")])) == [str(tmp_path / "logo.png")]
