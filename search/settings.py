"""The settings the command line, the indexer and the server share: the first rows of the
one settings table, read from the environment here and nowhere else.

Each row is (config key, environment variable, default, help, parse). `index/` and
the command line read these through `value`; web/settings.py appends the server's
own rows, and `web.settings.SETTINGS` (this table plus those) is what the README's
"Settings" table is checked against (tests/test_settings_documented.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting's value cannot be used; the message names the environment variable."""


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str
    parse: Callable[[str], Any] = str


def optional_path(text: str) -> Path | None:
    """A file or folder; empty means none."""
    return Path(text) if text.strip() else None


INDEX_DIR = Setting(
    "INDEX_DIR",
    "ARCHIVE_SEARCH_INDEX",
    "./data/index",
    "the index folder the server reads (`serve --index` overrides it)",
    Path,
)
ALIASES = Setting(
    "ALIASES",
    "ARCHIVE_SEARCH_ALIASES",
    "",
    "the archive's entity alias file (TOML), added to the shipped one",
    optional_path,
)
ENTITY_MODEL = Setting(
    "ENTITY_MODEL",
    "ARCHIVE_SEARCH_ENTITY_MODEL",
    "",
    "a retrained entity model (`.crfsuite`) used in place of the shipped one",
    optional_path,
)
SETTINGS: tuple[Setting, ...] = (INDEX_DIR, ALIASES, ENTITY_MODEL)


def parse_setting(setting: Setting, text: str) -> Any:
    """One value, with an error that names the variable and says what was wrong."""
    try:
        return setting.parse(text)
    except (ValueError, TypeError) as exc:
        raise SettingsError(f"{setting.env}={text!r} is not usable: {exc}") from None


def value(setting: Setting, environ: Mapping[str, str] | None = None) -> Any:
    """The setting's value: its environment variable when set (and not empty), else the default."""
    environ = os.environ if environ is None else environ
    return parse_setting(setting, environ.get(setting.env) or setting.default)
