"""CSRF: cookie-authenticated unsafe requests must carry the session's token; API keys not."""

from __future__ import annotations

import httpx
import pytest
from fastapi import Depends, FastAPI, Form

from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission, Role
from scriptsensei.auth.principal import Principal
from tests.auth.support import add_key, add_user, app_db, login


@pytest.fixture
def form_route(app: FastAPI) -> str:
    """A form-handling route like the pages' ones, protected by `require`."""

    async def rename(
        title: str = Form(...),
        principal: Principal = Depends(require(Permission.PRESCRIPTIONS_READ)),
    ) -> dict[str, str]:
        return {"title": title, "by": principal.name}

    app.router.add_api_route("/test/rename", rename, methods=["POST"])
    return "/test/rename"


async def test_cookie_unsafe_request_without_token_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await add_user(app_db(app), "alice")
    await login(client, "alice")
    response = await client.post("/api/apikeys", json={"name": "x", "role": "viewer"})
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_failed"
    assert "reload the page" in response.json()["detail"]


async def test_cookie_unsafe_request_with_wrong_token_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await add_user(app_db(app), "alice")
    await login(client, "alice")
    response = await client.post(
        "/api/apikeys", json={"name": "x", "role": "viewer"}, headers={"X-CSRF-Token": "nope"}
    )
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_failed"


async def test_another_sessions_token_does_not_count(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await add_user(app_db(app), "alice")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        other_token = (await login(other, "alice"))["csrfToken"]
    await login(client, "alice")
    response = await client.post(
        "/api/apikeys", json={"name": "x", "role": "viewer"}, headers={"X-CSRF-Token": other_token}
    )
    assert response.status_code == 403


async def test_cookie_unsafe_request_with_header_token_passes(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await add_user(app_db(app), "alice")
    me = await login(client, "alice")
    response = await client.post(
        "/api/apikeys",
        json={"name": "x", "role": "viewer"},
        headers={"X-CSRF-Token": me["csrfToken"]},
    )
    assert response.status_code == 201


async def test_safe_methods_need_no_token(app: FastAPI, client: httpx.AsyncClient) -> None:
    await add_user(app_db(app), "alice")
    await login(client, "alice")
    assert (await client.get("/api/apikeys")).status_code == 200


async def test_form_post_with_token_field_passes_and_keeps_the_form(
    app: FastAPI, client: httpx.AsyncClient, form_route: str
) -> None:
    await add_user(app_db(app), "alice", Role.VIEWER)
    me = await login(client, "alice")
    response = await client.post(form_route, data={"title": "new", "csrf_token": me["csrfToken"]})
    assert response.status_code == 200
    assert response.json() == {"title": "new", "by": "alice"}


async def test_form_post_without_token_field_is_refused(
    app: FastAPI, client: httpx.AsyncClient, form_route: str
) -> None:
    await add_user(app_db(app), "alice", Role.VIEWER)
    await login(client, "alice")
    response = await client.post(form_route, data={"title": "new"})
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_failed"


async def test_api_key_requests_need_no_csrf_token(
    app: FastAPI, client: httpx.AsyncClient, form_route: str
) -> None:
    key = await add_key(app_db(app), Role.ADMIN)
    created = await client.post(
        "/api/apikeys", json={"name": "y", "role": "viewer"}, headers={"X-API-Key": key}
    )
    assert created.status_code == 201
    form = await client.post(form_route, data={"title": "t"}, headers={"X-API-Key": key})
    assert form.status_code == 200
