"""Reading what each route demands from its dependencies."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.routes import app_routes


def _table(app: FastAPI) -> dict[tuple[str, str], frozenset[Permission | None]]:
    return {
        (method, route.path): route.requirements
        for route in app_routes(app)
        for method in route.methods
    }


async def test_auth_routes_declare_what_they_need(app: FastAPI) -> None:
    table = _table(app)
    assert table[("GET", "/api/users")] == {Permission.USERS_MANAGE}
    assert table[("DELETE", "/api/apikeys/{key_id}")] == {Permission.USERS_MANAGE}
    assert table[("GET", "/api/audit")] == {Permission.AUDIT_VIEW}
    assert table[("GET", "/api/auth/me")] == {None}
    for open_route in (("POST", "/api/auth/login"), ("GET", "/api/auth/setup")):
        assert table[open_route] == frozenset()


def test_route_level_dependencies_and_prefixes_are_seen() -> None:
    from fastapi import APIRouter

    inner = APIRouter()

    @inner.get("/things", dependencies=[Depends(require(Permission.EXPORT))])
    async def things() -> None:
        return None

    app = FastAPI()
    app.include_router(inner, prefix="/api/v2")
    assert _table(app)[("GET", "/api/v2/things")] == {Permission.EXPORT}
