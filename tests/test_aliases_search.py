"""Searching expands queries with the alias table that `Archive` holds: loaded once, looked
at again only when the index generation changes or CHECK_SECONDS have passed, so an
edited alias file takes effect without a restart (and the read side imports no ingest code)."""

from __future__ import annotations

import pytest

from index.readers import Parsed
from index.records import article_from_dict
from index.writer import ingest
from search import Archive
from search import aliases as aliases_module
from search.settings import ALIASES


def build(path, docs):
    items = [Parsed(f"t:{i}", article_from_dict(d)) for i, d in enumerate(docs)]
    assert ingest(path, items, extract=False).ok
    return path


@pytest.fixture
def loads(monkeypatch):
    """Counts the times the alias files are read (or checked)."""
    calls = []
    real = aliases_module.load_aliases

    def counted(path=None):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(aliases_module, "load_aliases", counted)
    return calls


def test_alias_table_is_loaded_once_then_per_generation(tmp_path, monkeypatch, loads):
    monkeypatch.setattr(aliases_module, "CHECK_SECONDS", 3600.0)
    path = build(tmp_path / "ix", [dict(id="a", title="Minsk talks", body="In Minsk today.")])
    archive = Archive(path)
    for _ in range(5):
        assert archive.search("Minsk")["total"] == 1
    assert len(loads) == 1
    build(path, [dict(id="b", title="More Minsk talks", body="Minsk again.")])
    assert archive.search("Minsk")["total"] == 2  # a new generation
    assert archive.search("Minsk")["total"] == 2
    assert len(loads) == 2


def test_an_edited_alias_file_takes_effect_without_a_restart(tmp_path, monkeypatch):
    monkeypatch.setattr(aliases_module, "CHECK_SECONDS", 0.0)
    file = tmp_path / "aliases.toml"
    file.write_text("", encoding="utf-8")
    monkeypatch.setenv(ALIASES.env, str(file))
    doc = dict(
        id="a", title="Hrodna news", body="Hrodna is a city.", entities={"place": ["Hrodna"]}
    )
    archive = Archive(build(tmp_path / "ix", [doc]))
    assert archive.search("Garten")["total"] == 0
    file.write_text('[place]\n"Hrodna" = ["Garten"]\n', encoding="utf-8")
    assert archive.search("Garten")["total"] == 1
    file.write_text("[place\n", encoding="utf-8")  # broken: searching goes on, without aliases
    assert archive.search("Hrodna")["total"] == 1
    assert archive.search("Garten")["total"] == 0
