"""The embeddable widget: /widget.js (the <archive-search> element), /embed and /widget.

`/widget.js` is served from web/static/widget.js by Flask's `send_file` with an ETag (a
hash of the file) and a one-hour cache, and `Access-Control-Allow-Origin: *` because
module scripts load in CORS mode. `/embed` is the same widget on a page of its own, for
hosts whose Content-Security-Policy forbids third-party scripts; web.security lets only
that path be framed. `/widget` documents the element: `ATTRIBUTES` and `THEME_VARIABLES`
are its tables, and tests check them against widget.js so neither can drift.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import NamedTuple

from flask import Blueprint, Response, current_app, render_template, request, send_file, url_for
from werkzeug.datastructures import MultiDict

from search import limits
from web import i18n

bp = Blueprint("widget", __name__)

SCRIPT_PATH = Path(__file__).parent / "static" / "widget.js"
SCRIPT_MAX_AGE = 3600
TARGETS = ("_self", "_blank", "_top", "_parent")
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


# The catalogue's messages widget.js shows; they replace its `STRINGS` placeholder.
SCRIPT_MESSAGES = (
    "widget.label",
    "widget.placeholder",
    "widget.results",
    "widget.more",
    "widget.loading",
    "widget.empty",
    "widget.failed",
    "widget.unavailable",
    "widget.offline",
    "count.results",
    *(f"facet.{name}" for name in limits.FACET_FIELDS),
)
SCRIPT_PLACEHOLDER = b"/* messages */ {}"


def script_body() -> bytes:
    """widget.js with the catalogue's messages for every language in place of its placeholder."""
    source = SCRIPT_PATH.read_bytes()
    messages = json.dumps(i18n.script_messages(SCRIPT_MESSAGES), ensure_ascii=False, indent=1)
    return source.replace(SCRIPT_PLACEHOLDER, messages.encode("utf-8"), 1)


@bp.get("/widget.js")
def script() -> Response:
    """widget.js, its ETag the hash of its bytes; Flask's send_file answers conditional and
    range requests and sets the cache headers from SCRIPT_MAX_AGE."""
    body = script_body()
    response = send_file(
        io.BytesIO(body),
        mimetype="text/javascript",
        etag=hashlib.sha256(body).hexdigest()[:32],
        max_age=SCRIPT_MAX_AGE,
        last_modified=SCRIPT_PATH.stat().st_mtime,
    )
    response.headers["Access-Control-Allow-Origin"] = "*"  # module scripts load in CORS mode
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def embed_options(args: MultiDict) -> dict[str, str]:
    """The <archive-search> attributes for /embed from its query string; bad values are dropped.

    `endpoint` is not accepted: the embed page may only talk to its own origin (its CSP
    says connect-src 'self').
    """
    options = {"target": EMBED_DEFAULT_TARGET}
    lang = i18n.requested_language(args.get("lang"))
    if lang:
        options["lang"] = lang
    target = (args.get("target") or "").strip()
    if target in TARGETS:
        options["target"] = target
    per_page = (args.get("per-page") or args.get("per_page") or "").strip()
    if re.fullmatch(r"[0-9]{1,3}", per_page) and 1 <= int(per_page) <= limits.MAX_PER_PAGE:
        options["per-page"] = str(int(per_page))
    facets = [
        f for f in (args.get("facets") or "").replace(",", " ").split() if f in limits.FACET_FIELDS
    ]
    if facets:
        options["facets"] = " ".join(dict.fromkeys(facets))
    placeholder = (args.get("placeholder") or "").strip()
    if placeholder:
        options["placeholder"] = placeholder[:MAX_PLACEHOLDER]
    return options


@bp.get("/embed")
def embed() -> str:
    return render_template("embed.html", options=embed_options(request.args))


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
