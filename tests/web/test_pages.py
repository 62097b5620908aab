"""Pages over HTTP, without a browser: sign-in redirects, roles, security headers, the
first-run page, static files, and that page routes leave the API's paths alone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from scriptsensei.auth.permissions import Role
from scriptsensei.web.router import router as web_router
from scriptsensei.web.security import CONTENT_SECURITY_POLICY
from tests.auth.support import PASSWORD, add_user, app_db, login

PAGES = ["/", "/queue", "/history", "/accuracy", "/upload", "/settings", "/review/next"]


async def _signed_in(client: httpx.AsyncClient, app: FastAPI, role: Role) -> None:
    await add_user(app_db(app), f"web-{role}", role)
    await login(client, f"web-{role}")


async def test_first_run_sends_every_page_to_setup(client: httpx.AsyncClient) -> None:
    for path in PAGES:
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/setup"
    setup = await client.get("/setup")
    assert setup.status_code == 200
    assert "setup token" in setup.text.lower()


async def test_anonymous_visitors_are_sent_to_sign_in(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await add_user(app_db(app), "someone", Role.VIEWER)
    response = await client.get("/history?q=abc")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fhistory%3Fq%3Dabc"
    assert (await client.get("/setup")).headers["location"] == "/login"


async def test_sign_in_form_sets_the_cookie_and_returns_to_the_page(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await add_user(app_db(app), "reader", Role.VIEWER)
    wrong = await client.post("/login", data={"username": "reader", "password": "nope"})
    assert wrong.status_code == 401
    assert "Wrong username or password" in wrong.text
    form = {"username": "reader", "password": PASSWORD, "next": "//evil.example/"}
    response = await client.post("/login", data=form)
    assert response.status_code == 303
    assert response.headers["location"] == "/"  # never another site
    assert (await client.get("/queue")).status_code == 200


async def test_sign_in_from_a_foreign_origin_is_refused(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await add_user(app_db(app), "reader", Role.VIEWER)
    headers = {"Origin": "https://elsewhere.example"}
    form = {"username": "reader", "password": PASSWORD}
    response = await client.post("/login", data=form, headers=headers)
    assert response.status_code == 403
    assert "session" not in response.cookies


@pytest.mark.parametrize("role", list(Role))
async def test_pages_follow_roles(client: httpx.AsyncClient, app: FastAPI, role: Role) -> None:
    await _signed_in(client, app, role)
    allowed = {
        "/upload": role in (Role.ADMIN, Role.OPERATOR),
        "/settings": role is Role.ADMIN,
        "/queue": True,
        "/history": True,
    }
    for path, ok in allowed.items():
        response = await client.get(path)
        assert response.status_code == (200 if ok else 403), (path, role)
        if not ok:
            assert "does not allow this page" in response.text
    dashboard = (await client.get("/")).text
    assert ('href="/settings"' in dashboard) == (role is Role.ADMIN)
    assert ('href="/upload"' in dashboard) == (role in (Role.ADMIN, Role.OPERATOR))


async def test_pages_carry_the_security_headers(client: httpx.AsyncClient, app: FastAPI) -> None:
    await _signed_in(client, app, Role.ADMIN)
    for path in [*PAGES[:-1], "/login"]:
        response = await client.get(path, follow_redirects=True)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe" not in CONTENT_SECURITY_POLICY


async def test_a_missing_prescription_is_a_not_found_page(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await _signed_in(client, app, Role.VIEWER)
    response = await client.get("/prescriptions/does-not-exist")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


async def test_static_files_are_served_and_nothing_else(client: httpx.AsyncClient) -> None:
    live = await client.get("/static/js/live.js")
    assert live.status_code == 200
    assert live.headers["content-type"].startswith("text/javascript")
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/vendor/README.md"):
        assert (await client.get(path)).status_code == 404, path


def _paths(router: Any) -> list[str]:
    found: list[str] = []
    for route in router.routes:
        nested = getattr(route, "original_router", None)  # an included router
        found += _paths(nested) if nested is not None else [getattr(route, "path", "")]
    return found


async def test_page_routes_leave_the_api_alone(app: FastAPI) -> None:
    page_paths = _paths(web_router)
    assert "/queue" in page_paths and "/prescriptions/{prescription_id}" in page_paths
    for path in page_paths:
        assert not path.startswith(("/api", "/ws", "/metrics", "/docs")), path
    assert not [p for p in app.openapi()["paths"] if p in page_paths]
