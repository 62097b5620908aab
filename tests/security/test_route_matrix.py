"""Who gets in where, generated from the app's route table: a route added tomorrow is in
this matrix the moment it is registered. Every route refuses anonymous callers (401 for
the API, a redirect to sign in for pages) unless it is on the public allow-list below, and
every role lacking the route's permission gets 403. Roles that hold it get past the door
(the request may still be a 404 or 422: the ids and bodies here are made up)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from scriptsensei.app import create_app
from scriptsensei.auth.permissions import Permission, Role, role_allows
from scriptsensei.auth.routes import app_routes
from tests.conftest import make_settings
from tests.support.auth_clients import session_client

# Open to anyone, on purpose. Everything else must demand a signed-in caller.
PUBLIC = frozenset(
    {
        ("GET", "/api/health"),
        ("POST", "/api/auth/login"),
        ("POST", "/api/auth/logout"),
        ("GET", "/api/auth/setup"),
        ("POST", "/api/auth/setup"),
        ("GET", "/static/{path:path}"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("POST", "/logout"),
        ("GET", "/setup"),
        ("POST", "/setup"),
    }
)
# Routes that authenticate in their handler, each with tests of its own: /metrics (a
# bearer token, or this host only) and /ws (cookie from our origin, or an API key).
OWN_AUTH = frozenset({("GET", "/metrics"), ("WS", "/ws")})
# For anyone signed in, person or program (an API key of any role): the API's schema and
# its viewer. The schema answers like the API (401); the viewer like a page (to sign in).
SCHEMA_AND_DOCS = frozenset({("GET", "/openapi.json"), ("GET", "/docs")})
JSON_OUTSIDE_API = frozenset({"/openapi.json"})


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    requirements: frozenset[Permission | None]

    @property
    def is_page(self) -> bool:
        return not self.path.startswith("/api/") and self.path not in JSON_OUTSIDE_API

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def allows(self, role: Role) -> bool:
        return all(p is None or role_allows(role, p) for p in self.requirements)

    def url(self) -> str:
        """The path with plausible values: ids that look real but match nothing."""
        return re.sub(r"\{([^}:]+)(:[^}]*)?\}", lambda m: _value_for(m.group(1)), self.path)


def _value_for(parameter: str) -> str:
    return {"page": "1", "path": "app.js"}.get(parameter, str(uuid.uuid4()))


def route_table(app: FastAPI) -> list[Route]:
    routes = []
    for info in app_routes(app):
        methods = {"WS"} if info.websocket else info.methods - {"HEAD"}
        routes += [Route(m, info.path, info.requirements) for m in sorted(methods)]
    return routes


# Built once at collection from an app that is never started: no database is touched.
_TABLE_APP = create_app(make_settings("sqlite+aiosqlite:///:memory:", Path("/nonexistent")))
ROUTES = route_table(_TABLE_APP)
GUARDED = [r for r in ROUTES if r.key not in PUBLIC | OWN_AUTH]


def test_every_route_is_guarded_or_listed_as_public() -> None:
    unguarded = [r.key for r in GUARDED if not r.requirements]
    assert unguarded == [], f"routes with no permission and not on the public list: {unguarded}"
    listed = {r.key for r in ROUTES}
    assert listed >= (PUBLIC | OWN_AUTH), (
        f"stale allow-list entries: {(PUBLIC | OWN_AUTH) - listed}"
    )


def test_the_matrix_covers_the_whole_api() -> None:
    api = [r for r in GUARDED if not r.is_page]
    pages = [r for r in GUARDED if r.is_page]
    assert len(api) >= 40 and len(pages) >= 8, (len(api), len(pages))
    for role in Role:
        assert any(not r.allows(role) for r in GUARDED) or role is Role.ADMIN


async def _call(client: httpx.AsyncClient, route: Route) -> httpx.Response:
    body = {} if route.method in ("POST", "PUT", "PATCH") else None
    return await client.request(route.method, route.url(), json=body)


def _anonymous_refused(route: Route, response: httpx.Response) -> bool:
    if route.is_page:
        location = response.headers.get("location", "")
        return response.status_code == 303 and location.startswith(("/login", "/setup"))
    return response.status_code == 401 and response.json()["error"] == "unauthorized"


async def test_anonymous_callers_are_refused_everywhere(
    app: FastAPI, anonymous_client: httpx.AsyncClient
) -> None:
    wrong = []
    for route in GUARDED:
        response = await _call(anonymous_client, route)
        if not _anonymous_refused(route, response):
            wrong.append(f"{route.method} {route.path}: {response.status_code}")
    assert wrong == []


def _verdict(route: Route, role: Role, response: httpx.Response) -> str | None:
    """What is wrong with `response` for `role`, or None."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if route.allows(role):
        refused = status in (401, 403) or (route.is_page and status == 303)
        return f"refused with {status} although allowed" if refused else None
    if status != 403:
        return f"{status} instead of 403"
    if not route.is_page and response.json()["error"] != "forbidden":
        return f"403 with error {response.json()['error']}"
    return None


async def _matrix_for(role: Role, api: httpx.AsyncClient, pages: httpx.AsyncClient) -> list[str]:
    wrong = []
    for route in GUARDED:
        response = await _call(pages if route.is_page else api, route)
        problem = _verdict(route, role, response)
        if problem:
            wrong.append(f"{role} {route.method} {route.path}: {problem}")
    return wrong


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_gets_exactly_its_permissions(
    app: FastAPI, role_clients: dict[Role, httpx.AsyncClient], role: Role
) -> None:
    """API routes called with the role's API key, pages with a signed-in session of the
    same role (pages do not take API keys)."""
    browser = await session_client(app, role)
    try:
        assert await _matrix_for(role, role_clients[role], browser) == []
    finally:
        await browser.aclose()


async def test_pages_do_not_accept_api_keys(app: FastAPI, admin_client: httpx.AsyncClient) -> None:
    pages = [r for r in GUARDED if r.is_page and r.method == "GET" and r.key not in SCHEMA_AND_DOCS]
    for route in pages:
        response = await admin_client.get(route.url())
        assert response.status_code == 303, (route.path, response.status_code)


def test_schema_and_docs_want_a_signed_in_caller_and_no_more() -> None:
    demanded = {r.key: r.requirements for r in GUARDED if r.key in SCHEMA_AND_DOCS}
    assert demanded == dict.fromkeys(SCHEMA_AND_DOCS, frozenset({None}))
    assert not {r.path for r in ROUTES} & {"/redoc", "/docs/oauth2-redirect"}


async def test_schema_and_docs_take_api_keys(
    app: FastAPI, role_clients: dict[Role, httpx.AsyncClient]
) -> None:
    for role, client in role_clients.items():
        for method, path in sorted(SCHEMA_AND_DOCS):
            response = await client.request(method, path)
            assert response.status_code == 200, (role, path, response.status_code)


async def test_metrics_are_refused_to_a_remote_caller_without_a_token(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as remote:
        response = await remote.get("/metrics")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
