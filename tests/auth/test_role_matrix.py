"""Every auth endpoint against every kind of caller: anonymous, each role, by key and cookie."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from scriptsensei.auth.permissions import Role
from tests.auth.support import PASSWORD, add_key, add_user, app_db, login

ADMIN_ONLY: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/users", None),
    ("POST", "/api/users", {"username": "newone", "password": PASSWORD, "role": "viewer"}),
    ("PATCH", "/api/users/{user_id}", {"displayName": "Target"}),
    ("GET", "/api/apikeys", None),
    ("POST", "/api/apikeys", {"name": "k", "role": "viewer"}),
    ("DELETE", "/api/apikeys/{key_id}", None),
    ("GET", "/api/audit", None),
]
SIGNED_IN: list[tuple[str, str, dict[str, Any] | None]] = [("GET", "/api/auth/me", None)]


async def _targets(app: FastAPI) -> dict[str, str]:
    user_id = await add_user(app_db(app), "target", Role.VIEWER)
    from sqlalchemy import select

    from scriptsensei.core.transaction import unit_of_work
    from scriptsensei.models import ApiKey

    await add_key(app_db(app), Role.VIEWER, "target key")
    async with unit_of_work(app_db(app)) as session:
        key_id = (await session.execute(select(ApiKey.id))).scalar_one()
    return {"user_id": user_id, "key_id": key_id}


async def _call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
) -> httpx.Response:
    return await client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("role", list(Role))
async def test_role_matrix_with_api_keys(
    app: FastAPI, client: httpx.AsyncClient, role: Role
) -> None:
    targets = await _targets(app)
    headers = {"X-API-Key": await add_key(app_db(app), role, f"{role} key")}
    for method, path, body in ADMIN_ONLY + SIGNED_IN:
        response = await _call(client, method, path.format(**targets), body, headers)
        allowed = role is Role.ADMIN or (method, path, body) in SIGNED_IN
        if allowed:
            assert response.status_code < 300, (method, path, response.text)
        else:
            assert response.status_code == 403, (method, path, response.text)
            assert response.json()["error"] == "forbidden"
            assert str(role) in response.json()["detail"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER])
async def test_role_matrix_with_a_session(
    app: FastAPI, client: httpx.AsyncClient, role: Role
) -> None:
    targets = await _targets(app)
    await add_user(app_db(app), "caller", role)
    headers = {"X-CSRF-Token": (await login(client, "caller"))["csrfToken"]}
    for method, path, body in ADMIN_ONLY + SIGNED_IN:
        response = await _call(client, method, path.format(**targets), body, headers)
        allowed = role is Role.ADMIN or (method, path, body) in SIGNED_IN
        assert (response.status_code < 300) == allowed, (method, path, response.text)


async def test_anonymous_gets_401_everywhere(app: FastAPI, client: httpx.AsyncClient) -> None:
    targets = await _targets(app)
    for method, path, body in ADMIN_ONLY + SIGNED_IN:
        response = await _call(client, method, path.format(**targets), body, {})
        assert response.status_code == 401, (method, path)
        assert response.json()["error"] == "unauthorized"


async def test_open_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/auth/setup")).status_code == 200
    assert (await client.get("/api/health")).status_code == 200
