"""First run: a one-time token creates the first admin; then the door is closed."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from scriptsensei.app import create_app
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.sessions import SESSION_COOKIE
from scriptsensei.auth.setup import STATE_KEY, token_path
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import AppState, User
from tests.auth.support import PASSWORD, add_user, app_db


def _token(settings: Settings) -> str:
    return token_path(settings).read_text().strip()


def _body(token: str, username: str = "first") -> dict[str, str]:
    return {"token": token, "username": username, "password": PASSWORD}


async def test_token_file_is_private_and_setup_is_needed(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    path = token_path(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(_token(settings)) >= 40
    assert (await client.get("/api/auth/setup")).json() == {"setupNeeded": True}


async def test_no_data_and_no_identity_before_setup(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/auth/me")).status_code == 401
    assert (await client.get("/api/users")).status_code == 401


async def test_wrong_token_is_refused(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.post("/api/auth/setup", json=_body("not-the-token"))
    assert response.status_code == 403
    assert "setup token is wrong" in response.json()["detail"]
    assert (await client.get("/api/auth/setup")).json()["setupNeeded"] is True


async def test_right_token_creates_a_signed_in_admin_once(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    token = _token(settings)
    response = await client.post("/api/auth/setup", json=_body(token))
    assert response.status_code == 201
    assert response.json()["role"] == "admin" and response.json()["name"] == "first"
    assert SESSION_COOKIE in response.cookies
    assert (await client.get("/api/users")).status_code == 200  # signed in as that admin
    assert not token_path(settings).exists()
    again = await client.post("/api/auth/setup", json=_body(token, "second"))
    assert again.status_code == 404
    assert again.json()["error"] == "setup_closed"
    assert (await client.get("/api/auth/setup")).json() == {"setupNeeded": False}
    async with unit_of_work(app_db(app)) as session:
        assert await session.get(AppState, STATE_KEY) is None


async def test_weak_password_keeps_the_token_usable(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    token = _token(settings)
    weak = await client.post(
        "/api/auth/setup", json={"token": token, "username": "first", "password": "short"}
    )
    assert weak.status_code == 422
    assert (await client.post("/api/auth/setup", json=_body(token))).status_code == 201


async def test_closed_once_any_user_exists(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    token = _token(settings)
    await add_user(app_db(app), "made-elsewhere", Role.VIEWER)
    response = await client.post("/api/auth/setup", json=_body(token))
    assert response.status_code == 404
    assert (await client.get("/api/auth/setup")).json() == {"setupNeeded": False}


async def test_two_setups_at_once_make_one_admin(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings
) -> None:
    token = _token(settings)
    first, second = await asyncio.gather(
        client.post("/api/auth/setup", json=_body(token, "one")),
        client.post("/api/auth/setup", json=_body(token, "two")),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 404]
    async with unit_of_work(app_db(app)) as session:
        assert len(list((await session.execute(select(User))).scalars())) == 1


async def test_restart_announces_the_same_token_and_closes_after_setup(
    settings: Settings,
) -> None:
    async def start_and_read() -> str | None:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            path = token_path(settings)
            return path.read_text().strip() if path.exists() else None

    first = await start_and_read()
    assert first is not None and await start_and_read() == first
    token_path(settings).unlink()  # the file lost: a new token replaces the old one
    replaced = await start_and_read()
    assert replaced is not None and replaced != first
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await add_user(app_db(app), "someone", Role.ADMIN)
    assert await start_and_read() is None  # users exist: no token, file removed


async def test_repeated_wrong_tokens_are_rate_limited(
    app: FastAPI, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    limit = app.state.runtime.settings.login_attempts_per_minute
    for _ in range(limit):
        await client.post("/api/auth/setup", json=_body("guess"))
    assert (await client.post("/api/auth/setup", json=_body("guess"))).status_code == 429
