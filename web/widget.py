"""The embeddable widget: /widget.js (the <archive-search> element), /embed and /widget.

`/widget.js` is served from web/static/widget.js with an ETag (a hash of the file) and a
one-hour cache, and `Access-Control-Allow-Origin: *` because module scripts load in CORS
mode. `/embed` is the same widget on a page of its own, for hosts whose Content-Security-
Policy forbids third-party scripts; web.security lets only that path be framed. `/widget`
documents the element: `ATTRIBUTES` and `THEME_VARIABLES` are its tables, and tests check
them against widget.js so neither can drift.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path
from typing import NamedTuple

from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

bp = Blueprint("widget", __name__)

SCRIPT_PATH = Path(__file__).parent / "static" / "widget.js"
SCRIPT_MAX_AGE = 3600
LANGUAGES = ("en", "ru")
TARGETS = ("_self", "_blank", "_top", "_parent")
FACETS = ("person", "organization", "place", "category", "tag", "year")
EMBED_DEFAULT_TARGET = "_top"  # inside an iframe, a chosen article replaces the host page
MAX_PLACEHOLDER = 200


class Row(NamedTuple):
    name: str
    default: str
    help: str


ATTRIBUTES: tuple[Row, ...] = (
    Row("endpoint", "the script's origin", "base URL of the Archive Search server to query"),
    Row("placeholder", "“Search the archive…”", "placeholder text of the search box"),
    Row("per-page", "10", "results per request (1–100); “More results” fetches the next page"),
    Row(
        "facets",
        "none",
        "space-separated facets shown as filter chips: "
        "person, organization, place, category, tag, year",
    ),
    Row("target", "_self", "where a chosen article opens: _self, _blank, _top or _parent"),
    Row("lang", "the page's language", "interface language: en or ru"),
)

THEME_VARIABLES: tuple[Row, ...] = (
    Row("--archive-search-font", "inherit", "font family (the host page's by default)"),
    Row("--archive-search-scale", "1", "font size, as a multiple of the host's"),
    Row("--archive-search-text", "inherit", "text colour"),
    Row("--archive-search-muted", "inherit", "colour of dates, counts and labels"),
    Row("--archive-search-background", "transparent", "background of the whole widget"),
    Row("--archive-search-surface", "transparent", "background of the box and buttons"),
    Row("--archive-search-border", "#8c959f", "border colour of the box and buttons"),
    Row("--archive-search-radius", "6px", "corner radius"),
    Row("--archive-search-accent", "#1a5fb4", "titles, focus rings, selected chips"),
    Row("--archive-search-accent-text", "#fff", "text on the accent colour"),
    Row("--archive-search-active", "rgba(127, 127, 127, .16)", "background of the active result"),
    Row("--archive-search-highlight", "#ffe27a", "background of matched words"),
    Row("--archive-search-highlight-text", "#1f2328", "colour of matched words"),
    Row("--archive-search-error", "#b42318", "colour of error and offline messages"),
)


class Script(NamedTuple):
    body: bytes
    etag: str


_cache: dict[tuple[int, int], Script] = {}
_cache_lock = threading.Lock()


def load_script(path: Path = SCRIPT_PATH) -> Script:
    """widget.js and its ETag, re-read only when the file changes on disk."""
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        script = _cache.get(key)
        if script is None:
            body = path.read_bytes()
            script = Script(body, hashlib.sha256(body).hexdigest()[:32])
            _cache.clear()
            _cache[key] = script
    return script


@bp.get("/widget.js")
def script() -> Response:
    widget = load_script()
    response = Response(widget.body, mimetype="text/javascript")
    response.set_etag(widget.etag)
    response.headers["Cache-Control"] = f"public, max-age={SCRIPT_MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # module scripts load in CORS mode
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response.make_conditional(request)


def embed_options(args: MultiDict) -> dict[str, str]:
    """The <archive-search> attributes for /embed from its query string; bad values are dropped.

    `endpoint` is not accepted: the embed page may only talk to its own origin (its CSP
    says connect-src 'self').
    """
    options = {"target": EMBED_DEFAULT_TARGET}
    lang = (args.get("lang") or "").strip().lower()
    if lang in LANGUAGES:
        options["lang"] = lang
    target = (args.get("target") or "").strip()
    if target in TARGETS:
        options["target"] = target
    per_page = (args.get("per-page") or args.get("per_page") or "").strip()
    if re.fullmatch(r"[0-9]{1,3}", per_page) and 1 <= int(per_page) <= 100:  # ASCII digits
        options["per-page"] = str(int(per_page))
    facets = [f for f in (args.get("facets") or "").replace(",", " ").split() if f in FACETS]
    if facets:
        options["facets"] = " ".join(dict.fromkeys(facets))
    placeholder = (args.get("placeholder") or "").strip()
    if placeholder:
        options["placeholder"] = placeholder[:MAX_PLACEHOLDER]
    return options


@bp.get("/embed")
def embed() -> str:
    options = embed_options(request.args)
    return render_template("embed.html", options=options, lang=options.get("lang", "en"))


def snippets(script_url: str, embed_url: str) -> dict[str, str]:
    """The copy-paste examples shown on /widget (the template escapes them)."""
    return {
        "basic": (
            f'<script type="module" src="{script_url}"></script>\n<archive-search></archive-search>'
        ),
        "options": (
            f'<script type="module" src="{script_url}"></script>\n'
            '<archive-search lang="ru" facets="person place" per-page="5" target="_blank"\n'
            '                placeholder="Lukashenka, Minsk, CSTO…"></archive-search>'
        ),
        "theme": (
            "archive-search {\n"
            "  --archive-search-accent: #8a1538;\n"
            "  --archive-search-radius: 0;\n"
            "  --archive-search-font: Georgia, serif;\n"
            "  --archive-search-scale: 1.1;\n"
            "}"
        ),
        "event": (
            'document.addEventListener("archive-search:select", (event) => {\n'
            "  event.preventDefault(); // the host navigates itself\n"
            "  const { id, url, title, sourceUrl } = event.detail;\n"
            "  myRouter.open(url);\n"
            "});"
        ),
        "iframe": (
            f'<iframe src="{embed_url}?lang=en&facets=person%20place"\n'
            '        title="Search the archive" width="100%" height="520"\n'
            '        style="border: 0"></iframe>'
        ),
    }


@bp.get("/widget")
def docs() -> str:
    public = current_app.config["PUBLIC_URL"]  # else the Host this page was asked under
    script_url = (
        public + url_for("widget.script") if public else url_for("widget.script", _external=True)
    )
    embed_url = (
        public + url_for("widget.embed") if public else url_for("widget.embed", _external=True)
    )
    return render_template(
        "widget.html",
        snippets=snippets(script_url, embed_url),
        attributes=ATTRIBUTES,
        variables=THEME_VARIABLES,
        script_url=script_url,
        embed_url=embed_url,
        origin=request.host_url.rstrip("/"),
    )
