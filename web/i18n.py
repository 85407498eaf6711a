"""The interface language of every page, the widget and /embed: one choice, one catalogue.

A request's language is its `lang` argument when that names one of `LANGUAGES` ("RU",
"ru-RU" count), else the best match for the browser's Accept-Language, else English.
A language chosen by `lang` is pinned: every URL the page builds for another page
carries it (`url_defaults`), so following links keeps it. Responses say
`Content-Language` and `Vary: Accept-Language`.

The strings live in `web/messages.toml`, one entry per message with its text in every
language side by side (a reviewable TOML file rather than gettext catalogues: two
languages, one file both the templates and widget.js read, and a test can check every
entry for every language). Counted messages hold CLDR plural forms (`one`, `few`,
`many`, `other`), chosen by Babel here and by `Intl.PluralRules` in widget.js, which
apply the same CLDR rules; dates and numbers are formatted by Babel.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal
from flask import Flask, Response, current_app, g, has_request_context, request
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept

LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}  # each in its own language
CATALOGUE_PATH = Path(__file__).parent / "messages.toml"
Message = str | dict[str, str]
# What `lang=` takes: a language tag, its subtags joined by - or _ (ru, RU, ru-RU, ru_RU).
SUBTAGS = r"(?:[-_][A-Za-z0-9]{1,8})*"
_TAG = re.compile(rf"[A-Za-z]{{2,3}}{SUBTAGS}")
MAX_TAG_LENGTH = 35  # the longest sensible BCP 47 tag


def load_catalogue(path: Path = CATALOGUE_PATH) -> dict[str, dict[str, Message]]:
    """{key: {language: text or {plural form: text}}}; nested TOML tables become dotted keys."""
    catalogue: dict[str, dict[str, Message]] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        for name, value in table.items():
            key = f"{prefix}{name}"
            if DEFAULT_LANGUAGE in value:
                catalogue[key] = value
            else:
                walk(f"{key}.", value)

    with path.open("rb") as file:
        walk("", tomllib.load(file))
    return catalogue


MESSAGES = load_catalogue()
_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}


def requested_language(value: str | None) -> str | None:
    """The supported language a `lang` value names ("RU", "ru-RU", "ru_RU" → "ru"), or None
    (for another language, and for what is no language tag, like "*")."""
    value = (value or "").strip()
    if len(value) > MAX_TAG_LENGTH or not _TAG.fullmatch(value):
        return None
    return LanguageAccept([(value.replace("_", "-"), 1)]).best_match(LANGUAGES)


def current_language() -> str:
    """This request's interface language (for views and templates; "en" outside a request)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if "lang" not in g:  # an error answered before the before_request hooks ran
        _choose()
    return g.lang


def _choose() -> None:
    pinned = requested_language(request.args.get("lang"))
    g.lang = pinned or request.accept_languages.best_match(LANGUAGES, DEFAULT_LANGUAGE)
    g.lang_pinned = pinned is not None and is_page(request.endpoint)


def pinned_args() -> list[tuple[str, str]]:
    """[("lang", code)] when this page's language was chosen by `lang`, for URLs that are
    built from a query string rather than by url_for (which adds it by itself)."""
    return [("lang", g.lang)] if g.get("lang_pinned") else []


def message(key: str, lang: str | None = None) -> Message:
    """The catalogue entry for `key` in `lang` (KeyError names a missing key)."""
    return MESSAGES[key][lang or current_language()]


def has_message(key: str) -> bool:
    """Whether the catalogue holds `key` (for names that come from data, like a filter's)."""
    return key in MESSAGES


def translate(key: str, **values: Any) -> Markup:
    """The message in this request's language, `{name}` fields filled with `values`.

    The message is escaped as text and every value is escaped unless it is already
    Markup, so untrusted text cannot become HTML through a message.
    """
    text = message(key)
    if not isinstance(text, str):
        raise TypeError(f"message {key!r} is counted: use plural()")
    return _escaped(text).format(**values)


def plural(key: str, count: int, **values: Any) -> Markup:
    """A counted message: the CLDR plural form for `count`; `{n}` is the number formatted,
    unless `n` is given (say, the number in <strong>)."""
    lang = current_language()
    if not values:  # "{n} articles": a timeline has one per bar, so the whole result is kept
        return _counted(key, count, lang)
    values.setdefault("n", _format_number(count, lang))
    return _plural_form(key, count, lang).format(**values)


@lru_cache(maxsize=8192)
def _counted(key: str, count: int, lang: str) -> Markup:
    return _plural_form(key, count, lang).format(n=_format_number(count, lang))


def _plural_form(key: str, count: int, lang: str) -> Markup:
    forms = message(key, lang)
    if isinstance(forms, str):
        raise TypeError(f"message {key!r} is not counted: use translate()")
    return _escaped(forms.get(_LOCALES[lang].plural_form(count), forms["other"]))


@lru_cache(maxsize=4096)
def _escaped(text: str) -> Markup:
    return Markup(escape(text))


def format_number(value: int | float) -> str:
    """A number with the language's grouping: 12,345 or 12 345."""
    return _format_number(value, current_language())


@lru_cache(maxsize=8192)
def _format_number(value: int | float, lang: str) -> str:
    return format_decimal(value, locale=_LOCALES[lang])


def format_date(value: str | dt.date | None, length: str = "long") -> str:
    """An ISO date or datetime as the language writes it: "June 19, 2017", "19 июня 2017 г."."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value  # a year or month ("2017", "2017-06") stays as written
    return babel_format_date(value, length, locale=_LOCALES[current_language()])


def full_stop(text: str) -> Markup:
    """End a sentence with one full stop, also after a date that ends in one ("2017 г.")."""
    text = Markup(escape(text)).rstrip()
    return text if text.striptags().endswith(".") else text + Markup(".")


def language_url(lang: str) -> str:
    """This page in `lang`: the same path and arguments with `lang` set."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", lang))
    return f"{request.script_root}{request.path}?{urlencode(args)}"


def script_messages(keys: tuple[str, ...]) -> dict[str, dict[str, Message]]:
    """{language: {key: message}} for widget.js, which formats them itself."""
    return {lang: {key: MESSAGES[key][lang] for key in keys} for lang in LANGUAGES}


def is_page(endpoint: str | None) -> bool:
    """Whether an endpoint answers a page in the interface language: not the JSON API,
    static files, widget.js or the Atom feed, whose bytes are the same in any language."""
    if endpoint is None:  # no route matched: the error page
        return not request.path.startswith("/api")
    pages = current_app.extensions.setdefault("i18n_pages", {})
    if endpoint not in pages:
        rules = [rule.rule for rule in current_app.url_map.iter_rules(endpoint)]
        pages[endpoint] = endpoint != "static" and not any(
            rule.startswith("/api") or rule.endswith((".js", ".atom")) for rule in rules
        )
    return pages[endpoint]


def _keep_pinned(endpoint: str, values: dict[str, Any]) -> None:
    """A page reached with `lang=` links to pages in the same language."""
    if g.get("lang_pinned") and is_page(endpoint):
        values.setdefault("lang", g.lang)


def _headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers["Content-Language"] = current_language()
        response.vary.add("Accept-Language")
    return response


def _template_context() -> dict[str, Any]:
    return {
        "lang": current_language(),
        "pinned_lang": g.lang if g.get("lang_pinned") else None,
    }


def init_app(app: Flask) -> None:
    """Choose the language before every request and give templates the catalogue."""
    app.before_request(_choose)
    app.url_defaults(_keep_pinned)
    app.after_request(_headers)
    app.context_processor(_template_context)
    app.jinja_env.filters["full_stop"] = full_stop
    # Globals, not context: imported macros (_macros.html) see globals only.
    app.jinja_env.globals.update(
        t=translate,
        has_message=has_message,
        tn=plural,
        format_date=format_date,
        format_number=format_number,
        language_url=language_url,
        languages=LANGUAGE_NAMES,
    )
