"""Every setting — the one table web.settings.SETTINGS: the rows the command line and the
indexer share (search.settings) and the server's own — has a row in the README's Settings
table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from web.settings import SETTINGS

README = Path(__file__).resolve().parent.parent / "README.md"
ENVIRONMENT = [s.env for s in SETTINGS]


def settings_table_rows() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


@pytest.mark.parametrize("env", ENVIRONMENT)
def test_setting_has_a_row_in_the_readme_settings_table(env):
    rows = settings_table_rows()
    assert re.search(rf"^\|[^\n]*`{env}`", rows, re.M), (
        f"{env} is not documented in README.md: add a row to the Settings table"
    )
