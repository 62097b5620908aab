"""Every JSON API route, every role: generated from the app's route table, so a route
added later is covered automatically, and one missing from REQUIRED fails the test.

REQUIRED maps (method, path) to what the route demands: PUBLIC (no credentials),
SIGNED_IN (any role), or a Permission (see the roles table in auth/permissions.py).
Anonymous callers must get 401 from every non-public route; a role without the permission
403; a role with it anything but 401/403 (dummy ids then give 404, dummy bodies 4xx).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from scriptsensei.app import create_app
from scriptsensei.auth.permissions import Permission, Role, role_allows
from tests.conftest import make_settings

PUBLIC = "public"
SIGNED_IN = "signed-in"
P = Permission

REQUIRED: dict[tuple[str, str], str | Permission] = {
    ("GET", "/api/health"): PUBLIC,
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): PUBLIC,
    ("GET", "/api/auth/setup"): PUBLIC,
    ("POST", "/api/auth/setup"): PUBLIC,
    ("GET", "/api/auth/me"): SIGNED_IN,
    ("GET", "/api/users"): P.USERS_MANAGE,
    ("POST", "/api/users"): P.USERS_MANAGE,
    ("PATCH", "/api/users/{user_id}"): P.USERS_MANAGE,
    ("GET", "/api/apikeys"): P.USERS_MANAGE,
    ("POST", "/api/apikeys"): P.USERS_MANAGE,
    ("DELETE", "/api/apikeys/{key_id}"): P.USERS_MANAGE,
    ("GET", "/api/audit"): P.AUDIT_VIEW,
    ("GET", "/api/admin/guard"): P.BACKUPS_MANAGE,
    ("POST", "/api/admin/guard/confirm"): P.BACKUPS_MANAGE,
    ("GET", "/api/prescriptions"): P.PRESCRIPTIONS_READ,
    ("POST", "/api/prescriptions/upload"): P.PRESCRIPTIONS_PROCESS,
    ("POST", "/api/prescriptions/upload-and-process"): P.PRESCRIPTIONS_PROCESS,
    ("GET", "/api/prescriptions/{prescription_id}"): P.PRESCRIPTIONS_READ,
    ("GET", "/api/prescriptions/{prescription_id}/detail"): P.PRESCRIPTIONS_READ,
    ("GET", "/api/prescriptions/{prescription_id}/image"): P.PRESCRIPTIONS_READ,
    ("GET", "/api/prescriptions/{prescription_id}/pages/{page}/image"): P.PRESCRIPTIONS_READ,
    ("POST", "/api/prescriptions/{prescription_id}/process"): P.PRESCRIPTIONS_PROCESS,
    ("POST", "/api/prescriptions/{prescription_id}/reprocess"): P.PRESCRIPTIONS_PROCESS,
    ("POST", "/api/prescriptions/{prescription_id}/retry"): P.PRESCRIPTIONS_PROCESS,
    ("POST", "/api/prescriptions/{prescription_id}/cancel"): P.PRESCRIPTIONS_PROCESS,
    ("DELETE", "/api/prescriptions/{prescription_id}"): P.PRESCRIPTIONS_DELETE,
    ("PATCH", "/api/prescriptions/{prescription_id}/extracted-data"): P.PRESCRIPTIONS_REVIEW,
    ("POST", "/api/prescriptions/{prescription_id}/review/accept"): P.PRESCRIPTIONS_REVIEW,
    ("POST", "/api/prescriptions/{prescription_id}/approve"): P.PRESCRIPTIONS_REVIEW,
    ("GET", "/api/prescriptions/{prescription_id}/review-history"): P.PRESCRIPTIONS_READ,
    ("GET", "/api/review/next"): P.PRESCRIPTIONS_READ,
    ("GET", "/api/extraction-results"): P.PRESCRIPTIONS_READ,
    ("PUT", "/api/extraction-results/{result_id}"): P.PRESCRIPTIONS_REVIEW,
    ("GET", "/api/configs"): P.PRESCRIPTIONS_READ,
    ("GET", "/api/configs/{config_id}"): P.PRESCRIPTIONS_READ,
    ("POST", "/api/configs"): P.CONFIGS_MANAGE,
    ("PUT", "/api/configs/{config_id}"): P.CONFIGS_MANAGE,
    ("DELETE", "/api/configs/{config_id}"): P.CONFIGS_MANAGE,
    ("POST", "/api/configs/{config_id}/default"): P.CONFIGS_MANAGE,
    ("DELETE", "/api/configs/{config_id}/prompts/{field}"): P.CONFIGS_MANAGE,
    ("GET", "/api/fields"): P.PRESCRIPTIONS_READ,
    ("GET", "/api/engines"): P.PRESCRIPTIONS_READ,
    ("GET", "/api/engines/{name}"): P.CONFIGS_MANAGE,
    ("PUT", "/api/engines/{name}"): P.CONFIGS_MANAGE,
    ("GET", "/api/export/csv"): P.EXPORT,
    ("GET", "/api/export/json"): P.EXPORT,
    ("GET", "/api/export/ndjson"): P.EXPORT,
    ("GET", "/api/stats"): P.PRESCRIPTIONS_READ,
}

DUMMY_ID = "00000000-0000-4000-8000-00000000dead"


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every JSON API route the app serves."""
    found = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.route, APIRoute) and context.path.startswith("/api/"):
            found += [(m, context.path) for m in sorted(context.methods or ()) if m != "HEAD"]
    return found


def _url(path: str) -> str:
    return (
        path.replace("{page}", "1")
        .replace("{", "")
        .replace("}", "")
        .replace("prescription_id", DUMMY_ID)
        .replace("result_id", DUMMY_ID)
        .replace("config_id", DUMMY_ID)
        .replace("user_id", DUMMY_ID)
        .replace("key_id", DUMMY_ID)
    )


def test_every_api_route_is_in_the_table(tmp_path: Path) -> None:
    app = create_app(make_settings("sqlite+aiosqlite:///" + str(tmp_path / "x.db"), tmp_path))
    routes = api_routes(app)
    missing = [r for r in routes if r not in REQUIRED]
    assert not missing, f"routes without a declared permission: {missing}"
    stale = [r for r in REQUIRED if r not in routes]
    assert not stale, f"table entries for routes that no longer exist: {stale}"


async def _call(client: httpx.AsyncClient, method: str, path: str) -> httpx.Response:
    body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    return await client.request(method, _url(path), **body)  # type: ignore[arg-type]


def _expected(required: str | Permission, role: Role | None) -> str:
    if required == PUBLIC:
        return "any"
    if role is None:
        return "401"
    if required == SIGNED_IN or role_allows(role, required):  # type: ignore[arg-type]
        return "allowed"
    return "403"


def _verdict(status: int, expected: str) -> bool:
    if expected == "401":
        return status == 401
    if expected == "403":
        return status == 403
    if expected == "allowed":
        return status not in (401, 403) and status < 500
    return status < 500


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_matrix(
    app: FastAPI,
    anonymous_client: httpx.AsyncClient,
    role_clients: dict[Role, httpx.AsyncClient],
) -> None:
    callers: list[tuple[Role | None, httpx.AsyncClient]] = [(None, anonymous_client)]
    callers += list(role_clients.items())
    wrong = []
    routes = [r for r in api_routes(app) if r in REQUIRED]
    assert len(routes) >= 40
    for method, path in routes:
        if path == "/api/auth/logout":
            continue  # signs the caller out; covered by the auth tests
        for role, client in callers:
            expected = _expected(REQUIRED[(method, path)], role)
            response = await _call(client, method, path)
            if not _verdict(response.status_code, expected):
                wrong.append((method, path, role and role.value, expected, response.status_code))
    assert not wrong, "\n".join(map(str, wrong))
