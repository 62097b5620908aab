"""Signing in and out with the session cookie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, update

from scriptsensei.auth.permissions import Role
from scriptsensei.auth.sessions import SESSION_COOKIE
from scriptsensei.auth.tokens import digest
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import User, UserSession
from tests.auth.support import PASSWORD, add_user, app_db, login


async def test_login_sets_a_protected_cookie_and_returns_me(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await add_user(app_db(app), "Alice", Role.REVIEWER)
    response = await client.post(
        "/api/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "alice" and body["role"] == "reviewer" and body["type"] == "user"
    assert "prescriptions:review" in body["permissions"]
    assert body["csrfToken"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # cookie_secure is off in tests
    me = await client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["csrfToken"] == body["csrfToken"]


async def test_only_the_token_hash_is_stored(app: FastAPI, client: httpx.AsyncClient) -> None:
    await add_user(app_db(app), "alice")
    await login(client, "alice")
    token = client.cookies[SESSION_COOKIE]
    async with unit_of_work(app_db(app)) as session:
        stored = list((await session.execute(select(UserSession.token_hash))).scalars())
        user = (await session.execute(select(User))).scalar_one()
    assert stored == [digest(token)]
    assert user.last_login_at is not None


async def test_secure_flag_when_configured(settings_secure_client: httpx.AsyncClient) -> None:
    response = await settings_secure_client.post(
        "/api/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


async def test_wrong_password_and_unknown_user_get_the_same_answer(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await add_user(app_db(app), "alice")
    wrong = await client.post(
        "/api/auth/login", json={"username": "alice", "password": "not the password"}
    )
    unknown = await client.post(
        "/api/auth/login", json={"username": "nobody", "password": "not the password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {
            "error": "unauthorized",
            "detail": "Wrong username or password.",
        }
    )
    assert "set-cookie" not in wrong.headers


async def test_inactive_user_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    user_id = await add_user(app_db(app), "alice")
    async with unit_of_work(app_db(app)) as session:
        await session.execute(update(User).where(User.id == user_id).values(is_active=False))
    response = await client.post(
        "/api/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "deactivated" in response.json()["detail"]
    assert SESSION_COOKIE not in client.cookies


async def test_deactivating_signs_the_user_out(app: FastAPI, client: httpx.AsyncClient) -> None:
    user_id = await add_user(app_db(app), "alice", Role.VIEWER)
    await login(client, "alice")
    async with unit_of_work(app_db(app)) as session:
        await session.execute(update(User).where(User.id == user_id).values(is_active=False))
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_failed_logins_are_rate_limited(app: FastAPI, client: httpx.AsyncClient) -> None:
    await add_user(app_db(app), "alice")
    limit = app.state.runtime.settings.login_attempts_per_minute
    for _ in range(limit):
        response = await client.post(
            "/api/auth/login", json={"username": "alice", "password": "guess guess guess"}
        )
        assert response.status_code == 401
    refused = await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert "try again in" in refused.json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


async def test_rate_limit_is_per_address_too(app: FastAPI, client: httpx.AsyncClient) -> None:
    await add_user(app_db(app), "alice")
    limit = app.state.runtime.settings.login_attempts_per_minute
    for attempt in range(limit):  # a different username each time: one address guessing
        await client.post(
            "/api/auth/login", json={"username": f"user{attempt}", "password": "guess guess"}
        )
    refused = await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert refused.status_code == 429


async def test_session_fixation_a_pre_login_cookie_is_replaced_and_dropped(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await add_user(app_db(app), "alice")
    await add_user(app_db(app), "mallory", Role.VIEWER)
    await login(client, "mallory")
    planted = client.cookies[SESSION_COOKIE]  # a session id the attacker knows
    await login(client, "alice")
    after = client.cookies[SESSION_COOKIE]
    assert after != planted
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        other.cookies.set(SESSION_COOKIE, planted)
        assert (await other.get("/api/auth/me")).status_code == 401
    assert (await client.get("/api/auth/me")).json()["name"] == "alice"


async def test_arbitrary_cookie_before_login_is_not_adopted(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await add_user(app_db(app), "alice")
    client.cookies.set(SESSION_COOKIE, "chosen-by-the-attacker")
    assert (await client.get("/api/auth/me")).status_code == 401
    response = await client.post(
        "/api/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    issued = response.cookies[SESSION_COOKIE]
    assert issued and issued != "chosen-by-the-attacker"


async def test_logout_deletes_the_session(app: FastAPI, client: httpx.AsyncClient) -> None:
    await add_user(app_db(app), "alice")
    me = await login(client, "alice")
    token = client.cookies[SESSION_COOKIE]
    response = await client.post("/api/auth/logout", headers={"X-CSRF-Token": me["csrfToken"]})
    assert response.status_code == 204
    assert SESSION_COOKIE not in client.cookies  # cleared by the answer
    client.cookies.set(SESSION_COOKIE, token)  # replaying the old cookie does not work
    assert (await client.get("/api/auth/me")).status_code == 401
    async with unit_of_work(app_db(app)) as session:
        count = (await session.execute(select(func.count()).select_from(UserSession))).scalar()
    assert count == 0


async def test_logout_needs_the_csrf_token(app: FastAPI, client: httpx.AsyncClient) -> None:
    await add_user(app_db(app), "alice")
    await login(client, "alice")
    response = await client.post("/api/auth/logout")
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_failed"
    assert (await client.get("/api/auth/me")).status_code == 200


async def test_logout_without_a_session_is_harmless(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/auth/logout")).status_code == 204


async def test_expired_session_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    await add_user(app_db(app), "alice")
    await login(client, "alice")
    async with unit_of_work(app_db(app)) as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(UserSession).values(expires_at=past))
    response = await client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


async def test_session_lasts_the_configured_time(app: FastAPI, client: httpx.AsyncClient) -> None:
    await add_user(app_db(app), "alice")
    await login(client, "alice")
    async with unit_of_work(app_db(app)) as session:
        record = (await session.execute(select(UserSession))).scalar_one()
    max_age = app.state.runtime.settings.session_max_age_seconds
    assert (record.expires_at - record.created_at).total_seconds() == max_age


async def test_me_without_credentials_is_401_with_the_error_shape(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/auth/me")
    assert response.status_code == 401
    assert set(response.json()) == {"error", "detail"}
