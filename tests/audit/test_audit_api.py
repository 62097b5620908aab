"""`GET /api/audit` and the entries the auth endpoints write."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from scriptsensei.auth.permissions import Role
from tests.auth.support import PASSWORD, add_key, add_user, app_db, login


async def _audit(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Any:
    response = await client.get("/api/audit", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_sign_in_events_are_audited_with_request_id_and_ip(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user_id = await add_user(app_db(app), "alice", Role.VIEWER)
    failed = await client.post(
        "/api/auth/login",
        json={"username": "alice", "password": "wrong password"},
        headers={"X-Request-Id": "req-failed-1"},
    )
    assert failed.status_code == 401
    me = await login(client, "alice")
    await client.post("/api/auth/logout", headers={"X-CSRF-Token": me["csrfToken"]})
    admin = {"X-API-Key": await add_key(app_db(app), Role.ADMIN)}
    items = (await _audit(client, admin))["items"]
    actions = [item["action"] for item in items]
    assert actions[:3] == ["logout", "login.success", "login.failure"]
    failure = items[2]
    assert failure["actorType"] == "anonymous" and failure["actorName"] == "alice"
    assert failure["requestId"] == "req-failed-1" and failure["ip"]
    assert failure["detail"] == {"reason": "wrong_credentials"}
    success = items[1]
    assert success["actorId"] == user_id and success["targetId"] == user_id
    assert PASSWORD not in str(items) and "wrong password" not in str(items)


async def test_user_and_key_changes_are_audited(app: FastAPI, client: httpx.AsyncClient) -> None:
    admin = {"X-API-Key": await add_key(app_db(app), Role.ADMIN, "admin key")}
    created = await client.post(
        "/api/users",
        json={"username": "bob", "password": PASSWORD, "role": "viewer"},
        headers=admin,
    )
    user_id = created.json()["id"]
    await client.patch(
        f"/api/users/{user_id}",
        json={"role": "operator", "password": "newer password"},
        headers=admin,
    )
    key = (
        await client.post("/api/apikeys", json={"name": "lab", "role": "viewer"}, headers=admin)
    ).json()
    await client.delete(f"/api/apikeys/{key['id']}", headers=admin)
    items = (await _audit(client, admin))["items"]
    assert [i["action"] for i in items] == [
        "apikey.revoke",
        "apikey.create",
        "user.update",
        "user.password_change",
        "user.create",
    ]
    assert all(i["actorType"] == "api_key" and i["actorName"] == "admin key" for i in items)
    assert items[2]["detail"] == {"role": "operator"}
    assert key["key"] not in str(items)
    assert "newer password" not in str(items)


async def test_pages_and_filters(app: FastAPI, client: httpx.AsyncClient) -> None:
    admin = {"X-API-Key": await add_key(app_db(app), Role.ADMIN)}
    for n in range(5):
        await client.post("/api/apikeys", json={"name": f"k{n}", "role": "viewer"}, headers=admin)
    first = await client.get("/api/audit", params={"limit": 2}, headers=admin)
    body = first.json()
    assert len(body["items"]) == 2 and body["nextCursor"]
    assert first.headers["X-Next-Cursor"] == body["nextCursor"]
    names: list[str] = [i["detail"]["name"] for i in body["items"]]
    cursor = body["nextCursor"]
    while cursor:
        page = await _audit(client, admin, limit=2, cursor=cursor)
        names += [i["detail"]["name"] for i in page["items"]]
        cursor = page["nextCursor"]
    assert names == ["k4", "k3", "k2", "k1", "k0"]
    filtered = await _audit(client, admin, action="apikey.", targetType="api_key")
    assert len(filtered["items"]) == 5
    assert (await _audit(client, admin, action="login."))["items"] == []


async def test_bad_cursor_and_limit_are_clear_errors(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = {"X-API-Key": await add_key(app_db(app), Role.ADMIN)}
    bad = await client.get("/api/audit", params={"cursor": "nonsense!"}, headers=admin)
    assert bad.status_code == 400 and "cursor" in bad.json()["detail"]
    too_many = await client.get("/api/audit", params={"limit": 1000}, headers=admin)
    assert too_many.status_code == 422
