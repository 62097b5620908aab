"""Secrets never reach logs or pages, and every response carries the security headers."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from starlette.responses import HTMLResponse

from scriptsensei.auth.permissions import Role
from scriptsensei.auth.sessions import SESSION_COOKIE
from scriptsensei.core.security_headers import NOT_A_PAGE_POLICY, SecurityHeadersMiddleware
from tests.auth.support import PASSWORD, add_user, login
from tests.security.hostile_files import png
from tests.support.auth_clients import app_db, key_client

WRONG_PASSWORD = "not-the-password-Zq81"
FORGED_KEY = "sk_forged_0123456789abcdefZZ"


async def _signed_in_flow(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    """Sign in, create keys, use them, fail once each way; the secrets that went by."""
    await add_user(app_db(app), "sec-admin", Role.ADMIN)
    bad = await client.post(
        "/api/auth/login", json={"username": "sec-admin", "password": WRONG_PASSWORD}
    )
    assert bad.status_code == 401
    csrf = (await login(client, "sec-admin"))["csrfToken"]
    client.headers["X-CSRF-Token"] = csrf
    made = await client.post("/api/apikeys", json={"name": "integrator", "role": "viewer"})
    key = made.json()["key"]
    async with key_client(app, key) as integrator:
        assert (await integrator.get("/api/prescriptions")).status_code == 200
        denied = await integrator.post("/api/prescriptions/upload", files={"files": png()})
        assert denied.status_code == 403  # logged as access_denied
        bearer = await integrator.get("/api/stats", headers={"Authorization": f"Bearer {key}"})
        assert bearer.status_code == 200
    async with key_client(app, FORGED_KEY) as forger:
        assert (await forger.get("/api/prescriptions")).status_code == 401
    listed = await client.get("/api/apikeys")
    assert key not in listed.text
    session = client.cookies[SESSION_COOKIE]
    return {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "api key": key,
        "forged key": FORGED_KEY,
        "session token": session,
        "csrf token": csrf,
    }


async def test_secrets_never_appear_in_logs(
    app: FastAPI, client: httpx.AsyncClient, capfd: pytest.CaptureFixture[str]
) -> None:
    capfd.readouterr()
    secrets = await _signed_in_flow(app, client)
    out, err = capfd.readouterr()
    logs = out + err
    # The capture works: the flow's own events are there.
    assert "access_denied" in logs and "integrator" in logs
    leaked = [name for name, value in secrets.items() if value in logs]
    assert leaked == []


async def test_pages_show_no_secret(app: FastAPI, client: httpx.AsyncClient) -> None:
    secrets = await _signed_in_flow(app, client)
    for path in ("/", "/queue", "/settings", "/history", "/upload"):
        page = await client.get(path)
        assert page.status_code == 200, path
        for name in ("password", "api key", "session token", "forged key"):
            assert secrets[name] not in page.text, (path, name)


def _script_sources(policy: str) -> str:
    directives = {}
    for part in policy.split(";"):
        name, _, sources = part.strip().partition(" ")
        directives[name] = sources
    return directives.get("script-src") or directives.get("default-src", "")


def assert_protective_headers(response: httpx.Response) -> None:
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", response.url
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin")
    policy = headers.get("content-security-policy", "")
    framing = "frame-ancestors 'none'" in policy or headers.get("x-frame-options") == "DENY"
    assert framing, response.url
    assert "unsafe-inline" not in _script_sources(policy), response.url
    assert "unsafe-eval" not in _script_sources(policy), response.url


async def test_api_responses_carry_the_headers(
    app: FastAPI, admin_client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
) -> None:
    uploaded = await admin_client.post("/api/prescriptions/upload", files={"files": png()})
    image_url = uploaded.json()["prescriptions"][0]["imageUrl"]
    responses = [
        await anonymous_client.get("/api/health"),
        await anonymous_client.get("/api/prescriptions"),  # 401
        await admin_client.get("/api/prescriptions"),
        await admin_client.get("/api/prescriptions/no-such-id"),  # 404
        await admin_client.get(image_url),
        await admin_client.get("/api/export/csv"),
        await admin_client.post("/api/configs", content=b"{", headers={"Content-Type": "application/json"}),
    ]  # fmt: skip
    for response in responses:
        assert_protective_headers(response)
        assert re.match(r"default-src 'none'", response.headers["content-security-policy"])


async def test_pages_carry_a_script_policy_without_inline_code(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await add_user(app_db(app), "viewer", Role.VIEWER)
    login_page = await client.get("/login")
    assert login_page.status_code == 200
    await login(client, "viewer")
    pages = [login_page] + [await client.get(path) for path in ("/", "/settings", "/docs")]
    for response in pages:
        assert response.headers["content-type"].startswith("text/html")
        assert_protective_headers(response)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "<script>" not in response.text  # no inline script a policy would have to allow


async def test_html_that_no_page_rendered_may_run_nothing() -> None:
    """Only our pages set a policy that lets scripts run (from this origin); any other
    HTML, whoever produced it, gets the policy that allows nothing."""
    stray = SecurityHeadersMiddleware(HTMLResponse("<script>alert(1)</script>"))
    transport = httpx.ASGITransport(app=stray)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/anything")
    assert response.headers["content-security-policy"] == NOT_A_PAGE_POLICY
    assert_protective_headers(response)
