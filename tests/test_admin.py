"""Editors' access to the search log: /admin/queries, /api/admin/queries and the command line.

No token set: no admin (404). The API wants `Authorization: Bearer <token>`; the page asks
once through a CSRF-safe form and keeps an HttpOnly, SameSite=Strict cookie.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from web.analytics import Recorder
from web.cli import main

TOKEN = "editor-token-0123456789abcdef"
XSS_QUERY = "<script>alert('q')</script>"


@pytest.fixture
def admin_app(make_app, tmp_path: Path):
    app = make_app(ADMIN_TOKEN=TOKEN, ANALYTICS_DB=str(tmp_path / "searches.sqlite"))
    client = app.test_client()
    client.get("/api/search?q=minsk")
    client.get("/api/search?q=minsk&place=Minsk")
    client.get("/api/search", query_string={"q": XSS_QUERY})
    client.get("/api/search?q=zzzqqq")
    assert app.extensions["archive_search_analytics"].flush()
    return app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/admin/queries", "/api/admin/queries"])
def test_no_token_set_means_no_admin(make_app, path):
    client = make_app().test_client()
    assert client.get(path).status_code == 404
    assert client.get(path, headers=bearer("anything-at-all-0000")).status_code == 404
    assert client.post("/admin/login", data={"token": "x"}).status_code == 404


def test_a_short_token_is_refused_at_start(make_app):
    from web.settings import SettingsError

    with pytest.raises(SettingsError, match="ARCHIVE_SEARCH_ADMIN_TOKEN"):
        make_app(ADMIN_TOKEN="short")


@pytest.mark.parametrize(
    "headers",
    [{}, bearer("wrong-token-0123456789abcdef"), bearer(""), {"Authorization": TOKEN},
     {"Authorization": f"Basic {TOKEN}"}, bearer(TOKEN + "x")],
)  # fmt: skip
def test_api_without_the_right_token_is_401(admin_app, headers):
    response = admin_app.test_client().get("/api/admin/queries", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["status"] == 401
    assert "minsk" not in response.get_data(as_text=True)


def test_api_with_the_right_token(admin_app):
    response = admin_app.test_client().get("/api/admin/queries?days=7", headers=bearer(TOKEN))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    answer = response.get_json()
    assert answer["days"] == 7 and len(answer["per_day"]) == 7
    assert answer["searches"] == 4
    assert answer["top_queries"][0]["query"] == "minsk"
    assert answer["top_queries"][0]["count"] == 2
    assert {"query": "zzzqqq", "count": 1} in answer["zero_result_queries"]
    assert answer["top_filters"] == [{"filter": "place", "value": "Minsk", "count": 1}]
    assert answer["per_day"][-1]["count"] == 4


def test_api_parameters_are_checked(admin_app):
    client = admin_app.test_client()
    response = client.get("/api/admin/queries?days=0", headers=bearer(TOKEN))
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "days"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_page_asks_for_the_token_then_keeps_a_strict_cookie(admin_app):
    client = admin_app.test_client()
    form = client.get("/admin/queries")
    assert form.status_code == 401
    html = form.get_data(as_text=True)
    assert 'type="password"' in html and "minsk" not in html
    wrong = client.post("/admin/login", data={"token": "nope", "csrf": csrf_of(html)})
    assert wrong.status_code == 401
    assert "not right" in wrong.get_data(as_text=True)
    right = client.post("/admin/login", data={"token": TOKEN, "csrf": csrf_of(html)})
    assert right.status_code == 303
    cookie = right.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain http here; over https it is Secure
    assert TOKEN not in cookie  # a value derived from the token, not the token
    page = client.get("/admin/queries")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "Top queries" in text and "minsk" in text and "<svg" in text
    assert XSS_QUERY not in text  # logged queries are escaped
    assert "&lt;script&gt;alert(" in text


def test_cookie_is_secure_over_https(admin_app):
    client = admin_app.test_client()
    html = client.get("/admin/queries", base_url="https://localhost").get_data(as_text=True)
    right = client.post(
        "/admin/login",
        data={"token": TOKEN, "csrf": csrf_of(html)},
        base_url="https://localhost",
    )
    assert "Secure" in right.headers["Set-Cookie"]


def test_login_form_is_csrf_safe(admin_app):
    client = admin_app.test_client()
    html = client.get("/admin/queries").get_data(as_text=True)
    assert client.post("/admin/login", data={"token": TOKEN}).status_code == 403
    assert client.post("/admin/login", data={"token": TOKEN, "csrf": "forged"}).status_code == 403
    cross_site = client.post(
        "/admin/login",
        data={"token": TOKEN, "csrf": csrf_of(html)},
        headers={"Origin": "https://evil.example"},
    )
    assert cross_site.status_code == 403
    assert (
        "Set-Cookie" not in cross_site.headers
        or "archive_search_admin" not in (cross_site.headers["Set-Cookie"])
    )


def test_a_forged_cookie_is_not_a_session(admin_app):
    client = admin_app.test_client()
    client.set_cookie("archive_search_admin", TOKEN, path="/admin")
    assert client.get("/admin/queries").status_code == 401


def test_sign_out(admin_app):
    client = admin_app.test_client()
    html = client.get("/admin/queries").get_data(as_text=True)
    client.post("/admin/login", data={"token": TOKEN, "csrf": csrf_of(html)})
    page = client.get("/admin/queries").get_data(as_text=True)
    assert client.post("/admin/logout", data={"csrf": csrf_of(page)}).status_code == 303
    assert client.get("/admin/queries").status_code == 401


# ---- the command line ----


def make_log(path: Path, queries: list[str]) -> Path:
    recorder = Recorder(path, days=90, max_bytes=1 << 20)
    for q in queries:
        recorder.record((int(time.time()), q, "{}", 0 if q == "zimbab" else 3, 1.0, 1, 0))
    assert recorder.flush()
    return path


def test_cli_reads_several_logs(tmp_path: Path, capsys):
    a = make_log(tmp_path / "a.sqlite", ["minsk", "minsk", "zimbab"])
    b = make_log(tmp_path / "b.sqlite", ["minsk", "belarus"])
    assert main(["analytics", "--db", str(a), "--db", str(b), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["logs"] == 2 and answer["searches"] == 5
    assert answer["top_queries"][0] == {"query": "minsk", "count": 3, "results": 3}
    assert main(["analytics", "--db", str(a), "--db", str(b), "--days", "7"]) == 0
    text = capsys.readouterr().out
    assert "minsk" in text and "zimbab" in text and "5 searches" in text


def test_cli_names_a_file_it_cannot_read(tmp_path: Path, capsys):
    missing = tmp_path / "missing.sqlite"
    assert main(["analytics", "--db", str(missing)]) == 1
    assert "missing.sqlite" in capsys.readouterr().err
    assert main(["analytics", "--db", str(missing), "--days", "0"]) == 2
