"""`/api/users`: create, list, change; the last admin is protected."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from scriptsensei.auth.permissions import Role
from tests.auth.support import PASSWORD, add_key, add_user, app_db, login


async def _admin_headers(app: FastAPI) -> dict[str, str]:
    return {"X-API-Key": await add_key(app_db(app), Role.ADMIN)}


async def test_create_list_and_sign_in_as_the_new_user(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = await _admin_headers(app)
    created = await client.post(
        "/api/users",
        json={"username": "Bob", "password": PASSWORD, "role": "operator", "displayName": "Bob K"},
        headers=headers,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["username"] == "bob" and body["role"] == "operator" and body["isActive"]
    assert "password" not in str(body).lower()
    listed = (await client.get("/api/users", headers=headers)).json()
    assert [u["username"] for u in listed] == ["bob"]
    assert (await login(client, "BOB"))["role"] == "operator"


async def test_short_password_gets_a_clear_422(app: FastAPI, client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/users",
        json={"username": "bob", "password": "short", "role": "viewer"},
        headers=await _admin_headers(app),
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": "weak_password",
        "detail": "The password must be at least 10 characters long.",
    }


async def test_bad_username_and_duplicate(app: FastAPI, client: httpx.AsyncClient) -> None:
    headers = await _admin_headers(app)
    bad = await client.post(
        "/api/users",
        json={"username": "a b/c", "password": PASSWORD, "role": "viewer"},
        headers=headers,
    )
    assert bad.status_code == 422 and "username" in bad.json()["detail"]
    body = {"username": "bob", "password": PASSWORD, "role": "viewer"}
    assert (await client.post("/api/users", json=body, headers=headers)).status_code == 201
    again = await client.post("/api/users", json={**body, "username": "BOB"}, headers=headers)
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]


async def test_patch_role_and_password(app: FastAPI, client: httpx.AsyncClient) -> None:
    headers = await _admin_headers(app)
    user_id = await add_user(app_db(app), "bob", Role.VIEWER)
    await login(client, "bob")
    changed = await client.patch(
        f"/api/users/{user_id}",
        json={"role": "reviewer", "password": "another good one"},
        headers=headers,
    )
    assert changed.status_code == 200 and changed.json()["role"] == "reviewer"
    # A password change signs the user out everywhere, and the old password stops working.
    assert (await client.get("/api/auth/me")).status_code == 401
    old = await client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert old.status_code == 401
    assert (await login(client, "bob", "another good one"))["role"] == "reviewer"


async def test_patch_weak_password_and_unknown_user(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = await _admin_headers(app)
    user_id = await add_user(app_db(app), "bob", Role.VIEWER)
    weak = await client.patch(f"/api/users/{user_id}", json={"password": "tiny"}, headers=headers)
    assert weak.status_code == 422
    missing = await client.patch("/api/users/nope", json={"role": "viewer"}, headers=headers)
    assert missing.status_code == 404


async def test_deactivate_signs_out_and_refuses_login(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = await _admin_headers(app)
    user_id = await add_user(app_db(app), "bob", Role.VIEWER)
    await login(client, "bob")
    response = await client.patch(
        f"/api/users/{user_id}", json={"isActive": False}, headers=headers
    )
    assert response.status_code == 200 and response.json()["isActive"] is False
    assert (await client.get("/api/auth/me")).status_code == 401
    again = await client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert again.status_code == 403


async def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    headers = await _admin_headers(app)
    admin_id = await add_user(app_db(app), "root", Role.ADMIN)
    for change in ({"role": "viewer"}, {"isActive": False}):
        response = await client.patch(f"/api/users/{admin_id}", json=change, headers=headers)
        assert response.status_code == 409
        assert "only active admin" in response.json()["detail"]
    await add_user(app_db(app), "second", Role.ADMIN)
    demoted = await client.patch(f"/api/users/{admin_id}", json={"role": "viewer"}, headers=headers)
    assert demoted.status_code == 200
