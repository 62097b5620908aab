"""API keys: created once, stored hashed, accepted in two headers, revoked at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from scriptsensei.auth.apikeys import KEY_PATTERN
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.tokens import digest
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import ApiKey
from tests.auth.support import add_key, app_db


async def _create(
    client: httpx.AsyncClient, admin_key: str, role: str = "operator"
) -> httpx.Response:
    return await client.post(
        "/api/apikeys", json={"name": "lab system", "role": role}, headers={"X-API-Key": admin_key}
    )


async def test_create_returns_the_key_once_and_stores_only_its_hash(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await add_key(app_db(app), Role.ADMIN)
    response = await _create(client, admin)
    assert response.status_code == 201
    body = response.json()
    key = body["key"]
    assert KEY_PATTERN.fullmatch(key)
    assert key.startswith(f"ss_{body['prefix']}_")
    assert body["role"] == "operator" and body["revokedAt"] is None
    async with unit_of_work(app_db(app)) as session:
        record = await session.get(ApiKey, body["id"])
    assert record is not None and record.key_hash == digest(key)
    listed = (await client.get("/api/apikeys", headers={"X-API-Key": admin})).json()
    assert key not in str(listed)
    assert {item["id"] for item in listed} >= {body["id"]}
    assert all("key" not in item for item in listed)


@pytest.mark.parametrize("header", ["x-api-key", "bearer"])
async def test_key_is_accepted_in_either_header(
    app: FastAPI, client: httpx.AsyncClient, header: str
) -> None:
    key = await add_key(app_db(app), Role.VIEWER, "reader")
    headers = {"X-API-Key": key} if header == "x-api-key" else {"Authorization": f"Bearer {key}"}
    response = await client.get("/api/auth/me", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "api_key" and body["name"] == "reader" and body["role"] == "viewer"
    assert body["csrfToken"] is None


@pytest.mark.parametrize(
    "key", ["", "garbage", "ss_0000000_short", "ss_deadbeef_" + "A" * 43, "Bearer"]
)
async def test_wrong_keys_are_401(client: httpx.AsyncClient, key: str) -> None:
    response = await client.get("/api/auth/me", headers={"X-API-Key": key} if key else {})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


async def test_revocation_takes_effect_on_the_next_request(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await add_key(app_db(app), Role.ADMIN)
    created = (await _create(client, admin)).json()
    worker = {"X-API-Key": created["key"]}
    assert (await client.get("/api/auth/me", headers=worker)).status_code == 200
    revoked = await client.delete(f"/api/apikeys/{created['id']}", headers={"X-API-Key": admin})
    assert revoked.status_code == 204
    refused = await client.get("/api/auth/me", headers=worker)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    listed = (await client.get("/api/apikeys", headers={"X-API-Key": admin})).json()
    assert next(k for k in listed if k["id"] == created["id"])["revokedAt"] is not None


async def test_revoking_an_unknown_key_is_404(app: FastAPI, client: httpx.AsyncClient) -> None:
    admin = await add_key(app_db(app), Role.ADMIN)
    response = await client.delete("/api/apikeys/no-such-id", headers={"X-API-Key": admin})
    assert response.status_code == 404


async def test_invalid_role_or_name_is_422(app: FastAPI, client: httpx.AsyncClient) -> None:
    admin = await add_key(app_db(app), Role.ADMIN)
    assert (await _create(client, admin, role="root")).status_code == 422
    blank = await client.post(
        "/api/apikeys", json={"name": "   ", "role": "viewer"}, headers={"X-API-Key": admin}
    )
    assert blank.status_code == 422
    assert "name" in blank.json()["detail"]


async def test_last_used_is_written_at_most_once_a_minute(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    key = await add_key(app_db(app), Role.VIEWER)
    await client.get("/api/auth/me", headers={"X-API-Key": key})

    async def last_used() -> datetime | None:
        async with unit_of_work(app_db(app)) as session:
            return (await session.execute(select(ApiKey.last_used_at))).scalar_one()

    first = await last_used()
    assert first is not None
    await client.get("/api/auth/me", headers={"X-API-Key": key})
    assert await last_used() == first  # within the minute: no write
    async with unit_of_work(app_db(app)) as session:
        old = datetime.now(UTC) - timedelta(minutes=2)
        await session.execute(update(ApiKey).values(last_used_at=old))
    await client.get("/api/auth/me", headers={"X-API-Key": key})
    refreshed = await last_used()
    assert refreshed is not None and refreshed > first - timedelta(seconds=1)
    assert refreshed > datetime.now(UTC) - timedelta(minutes=1)


async def test_a_bad_key_is_not_rescued_by_a_valid_cookie(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from tests.auth.support import add_user, login

    await add_user(app_db(app), "alice")
    await login(client, "alice")
    response = await client.get("/api/auth/me", headers={"X-API-Key": "ss_deadbeef_" + "B" * 43})
    assert response.status_code == 401
