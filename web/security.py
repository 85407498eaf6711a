"""What every response carries and every request must pass: limits, headers, CORS, caching.

Kept out of the views so a page or endpoint cannot forget it: request size
and URL length limits (413/414), security headers (CSP without inline script
or style, nosniff, referrer policy, framing only for /embed), CORS on /api,
rate limiting on every page and endpoint (web.ratelimit), and ETags keyed on
the index generation so a new ingest is visible to the next request while
unchanged answers cost a 304. An answer whose search ran out of time is
never cached: `no-store`, no ETag.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_cors import CORS

from web.errors import ApiError
from web.ratelimit import init_limiter

EMBED_PREFIX = "/embed"
UNCACHED_API = ("/api/health", "/api/admin/queries")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "manifest-src 'self'"
)
CACHE_SALT = "archive-search-web-1"  # bump when answers change shape for the same generation


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def is_embed(path: str) -> bool:
    return path == EMBED_PREFIX or path.startswith(EMBED_PREFIX + "/")


def _check_request_size() -> None:
    """413 for bodies over MAX_CONTENT_LENGTH, 414 for URLs over MAX_URL_LENGTH."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, f"request body too large: the limit is {limit} bytes")
    url_length = len(request.path.encode("utf-8")) + len(request.query_string)
    max_url = current_app.config["MAX_URL_LENGTH"]
    if url_length > max_url:
        raise ApiError(414, f"URL too long: the limit is {max_url} bytes")


def frame_ancestors(origins: Any) -> str:
    """Who may frame /embed: the CORS allow-list, or anyone when that is `*`."""
    if origins == "*" or not origins:
        return "*"
    return " ".join(origins)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    if is_embed(request.path):
        ancestors = frame_ancestors(current_app.config["ALLOWED_ORIGINS"])
        headers["Content-Security-Policy"] = f"{CSP}; frame-ancestors {ancestors}"
    else:
        headers["Content-Security-Policy"] = f"{CSP}; frame-ancestors 'none'"
        headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    return response


def etag_for(generation: object, full_path: str) -> str:
    """The ETag of one /api answer: index generation + request URL (+ a salt for our shapes)."""
    key = f"{CACHE_SALT}|{generation}|{full_path}".encode()
    return hashlib.sha256(key).hexdigest()[:32]


def _cacheable() -> bool:
    return (
        request.method in ("GET", "HEAD")
        and is_api(request.path)
        and request.path not in UNCACHED_API
    )


def _check_etag() -> Response | None:
    """Answer 304 before doing any work when the client already holds this generation's answer."""
    if not _cacheable():
        return None
    from web import get_archive

    try:
        generation = get_archive().health()["generation"]
    except Exception:  # the view reports an unusable index itself
        return None
    g.etag = etag_for(generation, request.full_path)
    if request.if_none_match.contains(g.etag):
        response = Response(status=304)
        _cache_headers(response)
        return response
    return None


def _cache_headers(response: Response) -> None:
    response.set_etag(g.etag)
    seconds = current_app.config["CACHE_SECONDS"]
    # 0 (the default): caches keep the answer but revalidate it every time, so a new
    # ingest shows on the next request while unchanged answers cost only a 304.
    freshness = f"max-age={seconds}" if seconds else "no-cache"
    response.headers["Cache-Control"] = f"public, {freshness}"


def _caching_headers(response: Response) -> Response:
    if g.get("timed_out"):  # incomplete: no cache may keep it as the answer
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("ETag", None)
        return response
    if not is_api(request.path):
        return response
    if getattr(g, "etag", None) and response.status_code == 200:
        _cache_headers(response)
    elif response.status_code != 304:
        response.headers["Cache-Control"] = "no-store"
    return response


def _retry_after_only_when_limited(response: Response) -> Response:
    """flask-limiter sends Retry-After on every answer; it only means something on a 429
    (and on a 425, where search.pinned sets it: the generation is on its way)."""
    if response.status_code not in (425, 429):
        response.headers.pop("Retry-After", None)
    return response


def _vary_origin(response: Response) -> Response:
    """With an allow-list, CORS headers depend on the Origin: shared caches must key on it."""
    response.vary.add("Origin")
    return response


def init_app(app: Flask) -> None:
    """Register limits, headers, CORS and caching, in the order they must run."""
    app.before_request(_check_request_size)
    app.after_request(_retry_after_only_when_limited)  # registered first, so it runs last
    app.extensions["archive_search_limiter"] = init_limiter(app)
    app.before_request(_check_etag)
    origins = app.config["ALLOWED_ORIGINS"]
    if origins != "*":
        app.after_request(_vary_origin)
    CORS(
        app,
        resources={r"/api/*": {"origins": origins}},
        send_wildcard=origins == "*",  # a plain `*` (cacheable), not an echo of the Origin
        methods=["GET", "HEAD", "OPTIONS"],
        supports_credentials=False,
        expose_headers=["ETag", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"],
        max_age=600,
    )
    app.after_request(_caching_headers)
    app.after_request(_security_headers)
