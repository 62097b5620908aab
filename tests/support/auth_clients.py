"""Authenticated HTTP clients for API and page tests: one per role, by API key (no CSRF
needed) or by a signed-in session (the client sends the CSRF header on unsafe requests).

Use from a conftest:

    from tests.support.auth_clients import role_clients, admin_client  # noqa: F401
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from scriptsensei.auth.apikeys import create_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.users import create_user
from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work

PASSWORD = "a sound password"
BASE_URL = "http://testserver"


def app_db(app: FastAPI) -> Database:
    db: Database = app.state.runtime.db
    return db


async def api_key_for(app: FastAPI, role: Role, name: str | None = None) -> str:
    """A new API key of `role`, written straight to the app's database."""
    async with unit_of_work(app_db(app)) as session:
        created = await create_api_key(session, name or f"{role.value}-key", role)
        return created.key


def key_client(app: FastAPI, key: str | None) -> httpx.AsyncClient:
    """A client of the in-process app sending `X-API-Key: key` (None: anonymous)."""
    headers = {"X-API-Key": key} if key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL, headers=headers
    )


async def session_client(
    app: FastAPI, role: Role, username: str | None = None
) -> httpx.AsyncClient:
    """A client signed in as a new user of `role`, sending its CSRF token on every request."""
    name = username or f"{role.value}-user"
    async with unit_of_work(app_db(app)) as session:
        await create_user(session, name, PASSWORD, role)
    client = key_client(app, None)
    response = await client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    me: dict[str, Any] = response.json()
    client.headers["X-CSRF-Token"] = me["csrfToken"]
    return client


@pytest.fixture
async def role_clients(app: FastAPI) -> AsyncIterator[dict[Role, httpx.AsyncClient]]:
    """One API-key client per role."""
    clients = {role: key_client(app, await api_key_for(app, role)) for role in Role}
    yield clients
    for client in clients.values():
        await client.aclose()


@pytest.fixture
async def anonymous_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with key_client(app, None) as client:
        yield client


@pytest.fixture
def admin_client(role_clients: dict[Role, httpx.AsyncClient]) -> httpx.AsyncClient:
    return role_clients[Role.ADMIN]


@pytest.fixture
def reviewer_client(role_clients: dict[Role, httpx.AsyncClient]) -> httpx.AsyncClient:
    return role_clients[Role.REVIEWER]


@pytest.fixture
def operator_client(role_clients: dict[Role, httpx.AsyncClient]) -> httpx.AsyncClient:
    return role_clients[Role.OPERATOR]


@pytest.fixture
def viewer_client(role_clients: dict[Role, httpx.AsyncClient]) -> httpx.AsyncClient:
    return role_clients[Role.VIEWER]
