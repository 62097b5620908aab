"""Factories for the auth tests: users and keys written straight to the database."""

from __future__ import annotations

from typing import Any

import httpx

from scriptsensei.auth.apikeys import create_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.users import create_user
from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work

PASSWORD = "a sound password"


async def add_user(
    db: Database, username: str, role: Role = Role.ADMIN, password: str = PASSWORD
) -> str:
    async with unit_of_work(db) as session:
        user = await create_user(session, username, password, role)
        return user.id


async def add_key(db: Database, role: Role = Role.OPERATOR, name: str = "integration") -> str:
    async with unit_of_work(db) as session:
        return (await create_api_key(session, name, role)).key


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> dict[str, Any]:
    """Sign in; the client keeps the cookie. Returns the `me` body (with csrfToken)."""
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def app_db(app: Any) -> Database:
    db: Database = app.state.runtime.db
    return db
