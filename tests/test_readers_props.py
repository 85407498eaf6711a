"""Property tests: whatever bytes a reader is given, it yields Parsed or Problem, never raises."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.readers import FORMATS, Parsed, Problem, read_path

DATA = Path(__file__).parent / "data" / "readers"
FIXTURES = {
    "jsonl": (DATA / "good.jsonl").read_bytes(),
    "pagetext": (DATA / "seed.txt").read_bytes(),
    "html": (DATA / "article.html").read_bytes(),
    "feed": (DATA / "feed.rss").read_bytes(),
}
EXTENSIONS = {"jsonl": ".jsonl", "pagetext": ".txt", "html": ".html", "feed": ".rss"}
SETTINGS = settings(
    max_examples=150,
    database=None,  # no .hypothesis folder in the checkout
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONTROL = st.sampled_from([chr(c) for c in [*range(32), 127, 0x85, 0x2028, 0xFEFF]])


def read_bytes(tmp_path: Path, data: bytes, fmt: str | None, suffix: str) -> list:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    results = list(read_path(str(path), fmt))
    for result in results:
        assert isinstance(result, Parsed | Problem)
        assert result.where.startswith(str(path))
        if isinstance(result, Problem):
            assert result.reason
    return results


@SETTINGS
@given(data=st.binary(max_size=2000), fmt=st.sampled_from([None, *FORMATS]))
def test_random_bytes(tmp_path, data, fmt):
    read_bytes(tmp_path, data, fmt, "")


@SETTINGS
@given(fmt=st.sampled_from(FORMATS), cut=st.floats(0, 1))
def test_truncated_fixtures(tmp_path, fmt, cut):
    data = FIXTURES[fmt]
    read_bytes(tmp_path, data[: int(len(data) * cut)], fmt, EXTENSIONS[fmt])


@SETTINGS
@given(cut=st.floats(0, 1))
def test_truncated_gzip(tmp_path, cut):
    blob = gzip.compress(FIXTURES["jsonl"] * 20)
    read_bytes(tmp_path, blob[: int(len(blob) * cut)], None, ".jsonl.gz")


@SETTINGS
@given(
    fmt=st.sampled_from(FORMATS),
    position=st.floats(0, 1),
    noise=st.lists(st.one_of(CONTROL, st.binary(max_size=4)), max_size=20),
)
def test_control_characters_and_noise_inserted(tmp_path, fmt, position, noise):
    data = FIXTURES[fmt]
    at = int(len(data) * position)
    junk = b"".join(n.encode("utf-8") if isinstance(n, str) else n for n in noise)
    read_bytes(tmp_path, data[:at] + junk + data[at:], fmt, EXTENSIONS[fmt])


@SETTINGS
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_title_and_body_text(tmp_path, text):
    line = json.dumps({"title": text, "body": text[::-1]})
    [result] = read_bytes(tmp_path, (line + "\n").encode(), "jsonl", ".jsonl")
    if isinstance(result, Parsed):
        assert result.article.title == result.article.title.strip()


@SETTINGS
@given(depth=st.integers(1, 50_000), opener=st.sampled_from(["[", '{"a":']))
def test_deeply_nested_json(tmp_path, depth, opener):
    closer = "]" if opener == "[" else "}"
    line = opener * depth + "1" + closer * depth
    results = read_bytes(tmp_path, f'{line}\n{{"title": "after"}}\n'.encode(), "jsonl", ".jsonl")
    assert isinstance(results[-1], Parsed) and results[-1].article.title == "after"


@settings(SETTINGS, max_examples=50)  # each example parses up to 5,000 levels: the costliest here
@given(depth=st.integers(1, 5_000), fmt=st.sampled_from(["html", "feed"]))
def test_deeply_nested_markup(tmp_path, depth, fmt):
    if fmt == "html":
        data = (
            "<html><body>" + "<div>" * depth + "<p>text</p>" + "</div>" * depth + "</body></html>"
        )
    else:
        item = "<item><title>t</title><description>" + "&lt;div&gt;" * depth + "x</description>"
        data = f"<rss><channel>{item}</item></channel></rss>"
    read_bytes(tmp_path, data.encode(), fmt, EXTENSIONS[fmt])
