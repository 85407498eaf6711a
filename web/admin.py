"""For editors: /admin/queries (what readers look for) and the same as JSON at /api/admin/queries.

Both need ARCHIVE_SEARCH_ADMIN_TOKEN; without one they do not exist (404). The
API takes `Authorization: Bearer <token>` (missing or wrong: 401). The page
asks for the token once through a form and keeps a value derived from it
(HMAC, so the token itself is never stored in the browser) in an HttpOnly,
SameSite=Strict cookie, Secure over https. The forms carry a per-browser CSRF
value that must match its cookie, and a cross-site Origin is refused. Every
comparison is constant-time (hmac.compare_digest); logged queries reach the
page only through Jinja's escaping.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from web import analytics, analytics_report
from web.api import int_arg
from web.errors import ApiError, error_response, not_found
from web.trends import timeline_chart

bp = Blueprint("admin", __name__)

SESSION_COOKIE = "archive_search_admin"
CSRF_COOKIE = "archive_search_csrf"
COOKIE_PATH = "/admin"
SESSION_SECONDS = 8 * 3600
DEFAULT_DAYS = 30


def _token() -> str:
    token = current_app.config.get("ADMIN_TOKEN") or ""
    if not token:
        raise not_found("not found")  # no token set: there is no admin
    return token


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _session_value(token: str) -> str:
    return hmac.new(
        token.encode("utf-8"), b"archive-search admin session", hashlib.sha256
    ).hexdigest()


def _log_paths() -> list[Path]:
    target = analytics.recorder()
    if target is not None:
        return [target.path]
    configured = current_app.config.get("ANALYTICS_DB")
    return [Path(configured or analytics.default_path(current_app.config["INDEX_DIR"]))]


def _report(args) -> dict[str, Any]:
    days = int_arg(args, "days", DEFAULT_DAYS, 1, analytics_report.MAX_DAYS)
    limit = int_arg(args, "limit", 20, 1, analytics_report.MAX_LIMIT)
    target = analytics.recorder()
    if target is not None:
        target.flush(1.0)  # include searches still in the queue, briefly
    return analytics_report.report(_log_paths(), days=days, limit=limit)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- JSON ----


@bp.get("/api/admin/queries")
def api_queries() -> Response:
    token = _token()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not _same(given.strip(), token):
        response = error_response(401, "admin token missing or wrong: send Authorization: Bearer")
        response.headers["WWW-Authenticate"] = 'Bearer realm="archive-search admin"'
        return _no_store(response)
    return _no_store(jsonify(_report(request.args)))


# ---- pages ----


def _signed_in(token: str) -> bool:
    return _same(request.cookies.get(SESSION_COOKIE, ""), _session_value(token))


def _set_cookie(response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=request.is_secure,
        httponly=True,
        samesite="Strict",
    )


def _page(template: str, status: int = 200, **context: Any) -> Response:
    """A page with a CSRF value for its forms (the cookie's, or a new one)."""
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = make_response(render_template(template, csrf=csrf, **context), status)
    _set_cookie(response, CSRF_COOKIE, csrf, None)
    return _no_store(response)


def _check_form() -> None:
    """A form post must come from our own page: same Origin (when sent) and CSRF value."""
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        own = urlsplit(request.host_url)
        theirs = urlsplit(origin)
        if (theirs.scheme, theirs.netloc) != (own.scheme, own.netloc):
            raise ApiError(403, "cross-site form posts are refused")
    given = request.form.get("csrf", "")
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not _same(given, expected):
        raise ApiError(403, "the form has expired: reload the page and try again")


@bp.get("/admin/queries")
def queries() -> Response:
    token = _token()
    if not _signed_in(token):
        return _page("admin_login.html", status=401)
    answer = _report(request.args)
    buckets = [{"start": row["day"], "count": row["count"]} for row in answer["per_day"]]
    chart = timeline_chart(
        {"interval": "day", "buckets": buckets, "total": answer["searches"]},
        lambda **_: None,
        lambda _: "",
    )
    return _page("admin_queries.html", answer=answer, chart=chart)


@bp.post("/admin/login")
def login() -> Response:
    token = _token()
    _check_form()
    if not _same(request.form.get("token", "").strip(), token):
        return _page("admin_login.html", status=401, wrong=True)
    response = redirect(url_for("admin.queries"), code=303)
    _set_cookie(response, SESSION_COOKIE, _session_value(token), SESSION_SECONDS)
    return _no_store(response)


@bp.post("/admin/logout")
def logout() -> Response:
    _token()
    _check_form()
    response = redirect(url_for("admin.queries"), code=303)
    response.delete_cookie(
        SESSION_COOKIE, path=COOKIE_PATH, secure=request.is_secure, httponly=True, samesite="Strict"
    )
    return _no_store(response)
