"""The settings table: the rows the command line and indexer share (search/settings.py),
then the server's own; read from the environment in one place.

Each row is (config key, environment variable, default, help). The README's
"Settings" table is checked against `SETTINGS` by tests/test_settings_documented.py,
so a new row here fails the build until it is documented.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import limits

from search import limits as request_limits
from search import settings as shared
from search.settings import Setting, SettingsError, parse_setting

__all__ = ["SETTINGS", "Setting", "SettingsError", "load_settings", "normalize"]


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _seconds(text: str) -> float:
    """A time limit in seconds; `off` (or 0) means none, which the archive reads as 0."""
    if text.strip().lower() in ("off", "none", ""):
        return 0.0
    value = float(text)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def parse_rate_limit(text: str) -> str | None:
    """`120/minute` style (anything the `limits` package reads); `off` disables limiting."""
    text = text.strip()
    if text.lower() in ("off", "none", ""):
        return None
    limits.parse_many(text)  # raises ValueError on nonsense
    return text


def _on_off(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("on", "off", "1", "0", "true", "false", "yes", "no"):
        raise ValueError("must be on or off")
    return value in ("on", "1", "true", "yes")


def parse_admin_token(text: str) -> str:
    """Empty disables the admin pages; a token must be long enough not to be guessed."""
    text = text.strip()
    if text and len(text) < 16:
        raise ValueError("must be at least 16 characters (e.g. `openssl rand -hex 24`)")
    return text


def parse_origins(text: str) -> str | list[str]:
    """`*` or a comma-separated allow-list of origins such as https://example.org."""
    origins = [part.strip() for part in text.split(",") if part.strip()]
    if not origins or "*" in origins:
        return "*"
    return origins


def parse_public_url(text: str) -> str:
    """`https://search.example.org` (a path prefix allowed), without a trailing slash; or empty."""
    text = text.strip().rstrip("/")
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("must be an http(s) URL such as https://search.example.org")
    return text


SETTINGS: tuple[Setting, ...] = (
    *shared.SETTINGS,
    Setting(
        "ALLOWED_ORIGINS",
        "ARCHIVE_SEARCH_ALLOWED_ORIGINS",
        "*",
        "origins allowed to call /api from a browser, comma-separated (no credentials)",
        parse_origins,
    ),
    Setting(
        "RATE_LIMIT",
        "ARCHIVE_SEARCH_RATE_LIMIT",
        "600/minute",  # a reader typing into the widget makes about one request a key
        "per-client limit on every page and /api call, counted by cost (a request costs 1, "
        "more when slow or timed out), e.g. `600/minute`; `off` disables it",
        parse_rate_limit,
    ),
    Setting(
        "RATE_LIMIT_STORAGE",
        "ARCHIVE_SEARCH_RATE_LIMIT_STORAGE",
        "local",
        "where rate-limit counters live: `local` is shared memory that every worker of this "
        "server counts in (the limit is per server); for several servers, a `limits` storage "
        "URI such as `memcached://host:11211`",
        str,
    ),
    Setting(
        "PUBLIC_URL",
        "ARCHIVE_SEARCH_PUBLIC_URL",
        "",
        "the site's public base URL (e.g. `https://search.example.org`), for absolute links "
        "such as the API's `html_url`; empty makes them relative to the site's root",
        parse_public_url,
    ),
    Setting(
        "QUERY_TIME_LIMIT",
        "ARCHIVE_SEARCH_QUERY_TIME_LIMIT",
        "2",
        "seconds a search may run before it answers with what it found (`timed_out`); "
        "`off` for no limit",
        _seconds,
    ),
    Setting(
        "MAX_QUERY_LENGTH",
        "ARCHIVE_SEARCH_MAX_QUERY_LENGTH",
        str(request_limits.DEFAULT_MAX_QUERY_LENGTH),
        "longest `q` accepted, in characters (longer is a 400 naming `q`)",
        _positive_int,
    ),
    Setting(
        "MAX_URL_LENGTH",
        "ARCHIVE_SEARCH_MAX_URL_LENGTH",
        "4096",
        "longest request path plus query string, in bytes (longer is a 414)",
        _positive_int,
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        "ARCHIVE_SEARCH_MAX_REQUEST_BYTES",
        "65536",
        "largest request body accepted, in bytes (larger is a 413)",
        _positive_int,
    ),
    Setting(
        "TRUSTED_PROXIES",
        "ARCHIVE_SEARCH_TRUSTED_PROXIES",
        "0",
        "reverse proxies in front of the server whose X-Forwarded-* headers are trusted "
        "(client address for rate limits, scheme and host for links)",
        _non_negative_int,
    ),
    Setting(
        "CACHE_SECONDS",
        "ARCHIVE_SEARCH_CACHE_SECONDS",
        "0",
        "`Cache-Control: max-age` of /api answers; 0 means `no-cache` (always revalidate "
        "the ETag, so a new ingest shows at once)",
        _non_negative_int,
    ),
    Setting(
        "SITE_NAME",
        "ARCHIVE_SEARCH_SITE_NAME",
        "Archive Search",
        "the site's name in page titles, headers and the widget's documentation page",
    ),
    Setting(
        "ANALYTICS",
        "ARCHIVE_SEARCH_ANALYTICS",
        "on",
        "log searches (query, filters, result count, time, page; no addresses or cookies) for "
        "/admin/queries; `off` disables it",
        _on_off,
    ),
    Setting(
        "ANALYTICS_DB",
        "ARCHIVE_SEARCH_ANALYTICS_DB",
        "",
        "this server's search log (SQLite); empty means `analytics.sqlite` beside the index "
        "folder (never inside it)",
        shared.optional_path,
    ),
    Setting(
        "ANALYTICS_DAYS",
        "ARCHIVE_SEARCH_ANALYTICS_DAYS",
        "90",
        "days of searches the log keeps",
        _positive_int,
    ),
    Setting(
        "ANALYTICS_MAX_MB",
        "ARCHIVE_SEARCH_ANALYTICS_MAX_MB",
        "100",
        "largest size of the log file in MB; the oldest searches go first",
        _positive_int,
    ),
    Setting(
        "ADMIN_TOKEN",
        "ARCHIVE_SEARCH_ADMIN_TOKEN",
        "",
        "the token for /admin/queries and /api/admin/queries (at least 16 characters); "
        "empty disables them (404)",
        parse_admin_token,
    ),
)


def load_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting's value: the environment variable when set, else the default."""
    environ = os.environ if environ is None else environ
    return {s.name: parse_setting(s, environ.get(s.env, s.default)) for s in SETTINGS}


def normalize(config: Mapping[str, Any]) -> dict[str, Any]:
    """Parse string values given through create_app(config) the same way as the environment."""
    by_name = {s.name: s for s in SETTINGS}
    out: dict[str, Any] = {}
    for key, value in config.items():
        setting = by_name.get(key)
        if setting is not None and isinstance(value, str) and setting.parse is not str:
            value = parse_setting(setting, value)
        out[key] = value
    return out
