"""The OpenAPI schema documents every API operation's success body and its errors, and it
is no more public than the API: `/openapi.json` and `/docs` (Swagger UI from vendored
files) are for signed-in users and API keys of any role, and the page loads nothing from
another site."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from scriptsensei.app import create_app
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.routes import app_routes
from scriptsensei.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import make_settings
from tests.support.auth_clients import session_client

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SUCCESS_CODES = {"200", "201", "202", "204", "207", "304"}
SWAGGER_FILES = (
    "/static/vendor/swagger-ui-bundle-5.35.0.js",
    "/static/vendor/swagger-ui-5.35.0.css",
)

# The docs tests need no second backend: nothing they check depends on the database.
sqlite_only = pytest.mark.parametrize("db_backend", ["sqlite"])


def _app(tmp_path: Path) -> FastAPI:
    return create_app(make_settings("sqlite+aiosqlite:///" + str(tmp_path / "x.db"), tmp_path))


def _auth_codes(method: str, requirements: frozenset[Any]) -> set[str]:
    """What an operation must document: 401 whenever it wants a caller; 403 when it wants a
    permission, or is an unsafe method (a session without its CSRF token)."""
    if not requirements:
        return set()
    needs_permission = any(r is not None for r in requirements)
    return {"401", "403"} if needs_permission or method not in SAFE_METHODS else {"401"}


def _problems(method: str, path: str, operation: dict[str, Any], wanted: set[str]) -> list[str]:
    codes = set(operation["responses"])
    problems = [] if codes & SUCCESS_CODES else ["no success response"]
    problems += [] if codes - SUCCESS_CODES else ["no error response"]
    problems += [f"{code} undocumented" for code in sorted(wanted - codes)]
    for code in sorted(codes - SUCCESS_CODES):
        content = operation["responses"][code].get("content", {})
        if not content.get("application/json", {}).get("schema"):
            problems.append(f"{code} without a body schema")
    return [f"{method} {path}: {p}" for p in problems]


def test_every_api_operation_documents_its_answers(tmp_path: Path) -> None:
    app = _app(tmp_path)
    paths = app.openapi()["paths"]
    requirements = {(m, r.path): r.requirements for r in app_routes(app) for m in r.methods}
    problems: list[str] = []
    checked = 0
    for path, operations in paths.items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            wanted = _auth_codes(method.upper(), requirements[(method.upper(), path)])
            problems += _problems(method.upper(), path, operation, wanted)
            checked += 1
    assert checked >= 45
    assert not problems, "\n".join(problems)


def test_the_check_catches_an_undocumented_refusal() -> None:
    bare = {"responses": {"200": {"description": "OK"}}}
    assert _problems("GET", "/api/x", bare, {"401", "403"}) == [
        "GET /api/x: no error response",
        "GET /api/x: 401 undocumented",
        "GET /api/x: 403 undocumented",
    ]
    assert _auth_codes("GET", frozenset({None})) == {"401"}
    assert _auth_codes("POST", frozenset({None})) == {"401", "403"}
    assert _auth_codes("GET", frozenset()) == set()


def test_only_our_schema_and_swagger_routes_exist(tmp_path: Path) -> None:
    routes = {route.path for route in app_routes(_app(tmp_path))}
    assert {"/docs", "/openapi.json"} <= routes
    assert not routes & {"/redoc", "/docs/oauth2-redirect"}


def _references(html: str) -> list[str]:
    return re.findall(r'\b(?:src|href|data-schema-url)="([^"]*)"', html)


def _same_origin(reference: str) -> bool:
    return reference == "data:," or (reference.startswith("/") and not reference.startswith("//"))


@sqlite_only
async def test_docs_page_signed_in_loads_only_our_own_files(app: FastAPI) -> None:
    browser = await session_client(app, Role.VIEWER)
    try:
        page = await browser.get("/docs")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        references = _references(page.text)
        assert set(SWAGGER_FILES) <= set(references)
        assert [r for r in references if not _same_origin(r)] == []
        for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", page.text, re.S):
            assert "src=" in attributes and not body.strip(), "inline script"
        for reference in (r for r in references if r.startswith("/static/")):
            asset = await browser.get(reference)
            assert asset.status_code == 200, reference
            assert asset.headers["content-type"].startswith(("text/javascript", "text/css"))
        script = (await browser.get("/static/js/docs.js")).text
        assert "SwaggerUIBundle" in script and "validatorUrl: null" in script
        assert "http" not in script
        schema = await browser.get("/openapi.json")
        assert schema.status_code == 200
        assert "/api/prescriptions" in schema.json()["paths"]
    finally:
        await browser.aclose()


@sqlite_only
async def test_schema_and_docs_take_an_api_key_of_any_role(
    role_clients: dict[Role, httpx.AsyncClient],
) -> None:
    for role, client in role_clients.items():
        assert (await client.get("/openapi.json")).status_code == 200, role
        assert (await client.get("/docs")).status_code == 200, role


@sqlite_only
async def test_anonymous_callers_get_neither_schema_nor_docs(
    anonymous_client: httpx.AsyncClient,
) -> None:
    schema = await anonymous_client.get("/openapi.json")
    assert schema.status_code == 401
    assert schema.json()["error"] == "unauthorized"
    assert "paths" not in schema.text
    docs = await anonymous_client.get("/docs")
    assert docs.status_code == 303
    assert docs.headers["location"] == "/login?next=%2Fdocs"
    for gone in ("/redoc", "/docs/oauth2-redirect"):
        assert (await anonymous_client.get(gone)).status_code == 404, gone
