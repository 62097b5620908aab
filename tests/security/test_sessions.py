"""Sessions, keys and the browser's door: revocation at once, no session fixation, CSRF on
cookie-authenticated writes, brute-force sign-in limited, CORS closed by default."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from scriptsensei.app import create_app
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.sessions import SESSION_COOKIE
from scriptsensei.core.settings import Settings
from tests.auth.support import PASSWORD, add_user, login
from tests.support.auth_clients import app_db, key_client, session_client


async def test_a_revoked_key_fails_on_the_very_next_request(
    app: FastAPI, admin_client: httpx.AsyncClient
) -> None:
    created = await admin_client.post("/api/apikeys", json={"name": "doomed", "role": "operator"})
    assert created.status_code == 201, created.text
    key, key_id = created.json()["key"], created.json()["id"]
    async with key_client(app, key) as doomed:
        assert (await doomed.get("/api/prescriptions")).status_code == 200
        assert (await admin_client.delete(f"/api/apikeys/{key_id}")).status_code == 204
        refused = await doomed.get("/api/prescriptions")
        assert refused.status_code == 401
        assert refused.json()["error"] == "unauthorized"
        bearer = await doomed.get(
            "/api/prescriptions", headers={"X-API-Key": "", "Authorization": f"Bearer {key}"}
        )
        assert bearer.status_code == 401


async def test_a_wrong_key_never_falls_back_to_the_cookie(app: FastAPI) -> None:
    browser = await session_client(app, Role.ADMIN)
    try:
        response = await browser.get("/api/prescriptions", headers={"X-API-Key": "sk_forged"})
        assert response.status_code == 401
    finally:
        await browser.aclose()


async def test_a_planted_session_cookie_is_not_promoted_by_signing_in(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Session fixation: an attacker signs in with their own low account and plants that
    cookie in the victim's browser; the victim then signs in as admin. The planted token
    must not become the admin's session."""
    await add_user(app_db(app), "mallory", Role.VIEWER)
    await add_user(app_db(app), "victim", Role.ADMIN)
    await login(client, "mallory")
    planted = client.cookies[SESSION_COOKIE]

    victim = key_client(app, None)
    victim.cookies.set(SESSION_COOKIE, planted)
    async with victim:
        signed_in = await victim.post(
            "/api/auth/login", json={"username": "victim", "password": PASSWORD}
        )
    assert signed_in.status_code == 200
    issued = signed_in.cookies[SESSION_COOKIE]
    assert issued and issued != planted

    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, planted)
    as_attacker = await client.get("/api/auth/me")
    assert as_attacker.status_code in (200, 401)
    if as_attacker.status_code == 200:
        assert as_attacker.json()["username"] == "mallory"
    client.cookies.set(SESSION_COOKIE, "chosen-by-attacker")
    invented = await client.get("/api/auth/me")
    assert invented.status_code == 401


async def test_cookie_writes_need_the_csrf_token(app: FastAPI, client: httpx.AsyncClient) -> None:
    await add_user(app_db(app), "admin", Role.ADMIN)
    token = (await login(client, "admin"))["csrfToken"]
    body = {"name": "csrf probe", "selectedModels": ["alpha"], "selectedFields": []}
    for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": token[:-1]}):
        refused = await client.post("/api/configs", json=body, headers=headers)
        assert refused.status_code == 403, (headers, refused.text)
        assert refused.json()["error"] == "csrf_failed"
    form = await client.post(
        "/api/apikeys", data={"csrf_token": "forged", "name": "x", "role": "admin"}
    )
    assert form.status_code == 403 and form.json()["error"] == "csrf_failed"
    assert len((await client.get("/api/configs")).json()) == 1  # only the default config
    accepted = await client.post("/api/configs", json=body, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 201, accepted.text


async def test_brute_force_sign_in_is_rate_limited(app: FastAPI, client: httpx.AsyncClient) -> None:
    await add_user(app_db(app), "target", Role.ADMIN)
    limit = app.state.runtime.settings.login_attempts_per_minute
    statuses = [
        (await client.post("/api/auth/login", json={"username": "target", "password": f"guess{i}"}))
        for i in range(limit + 1)
    ]
    assert {r.status_code for r in statuses[:limit]} == {401}
    blocked = statuses[limit]
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "rate_limited"
    assert int(blocked.headers["retry-after"]) > 0
    # Even the right password waits: the limiter does not tell a guess from the truth.
    right = await client.post("/api/auth/login", json={"username": "target", "password": PASSWORD})
    assert right.status_code == 429


async def test_cors_is_closed_by_default(client: httpx.AsyncClient) -> None:
    preflight = await client.options(
        "/api/prescriptions",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-API-Key",
        },
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = await client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers
    assert "access-control-allow-credentials" not in simple.headers


async def test_the_sign_in_limit_holds_across_web_processes(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    """Failures made through one process count in another: a second web instance (its own
    app, its own memory, the same database) refuses the next guess too."""
    await add_user(app_db(app), "shared-target", Role.ADMIN)
    limit = settings.login_attempts_per_minute
    for i in range(limit):
        guess = {"username": "shared-target", "password": f"guess{i}"}
        assert (await client.post("/api/auth/login", json=guess)).status_code == 401
    other = create_app(settings)
    async with (
        other.router.lifespan_context(other),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=other), base_url="http://testserver"
        ) as second,
    ):
        blocked = await second.post(
            "/api/auth/login", json={"username": "Shared-Target ", "password": PASSWORD}
        )
        assert blocked.status_code == 429, blocked.text
        assert int(blocked.headers["retry-after"]) > 0
        # Another user from another address is not held back by these failures.
        await add_user(app_db(other), "bystander", Role.VIEWER)
        elsewhere = httpx.ASGITransport(app=other, client=("203.0.113.9", 40000))
        async with httpx.AsyncClient(transport=elsewhere, base_url="http://testserver") as third:
            bystander = await third.post(
                "/api/auth/login", json={"username": "bystander", "password": PASSWORD}
            )
        assert bystander.status_code == 200, bystander.text
