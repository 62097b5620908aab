"""Hostile values in paths, filters and bodies get a clear 4xx (never a 5xx), on both
databases; SQL-looking and script-looking values are data, stored and returned as sent."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from scriptsensei.app import create_app
from tests.api.helpers import upload_one
from tests.conftest import make_settings

SQLISH = "'; DROP TABLE prescriptions; --"
SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    "url",
    [
        "/api/prescriptions?q=%00",
        "/api/prescriptions/abc%00def",
        "/api/prescriptions?engine=a%00b",
        "/api/extraction-results?prescriptionId=%00",
        "/api/export/csv?prescriptionIds=%00",
    ],
)
async def test_nul_characters_are_refused(admin_client: httpx.AsyncClient, url: str) -> None:
    response = await admin_client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def _schema() -> dict[str, Any]:
    app = create_app(make_settings("sqlite+aiosqlite:///:memory:", Path(tempfile.gettempdir())))
    return app.openapi()


SCHEMA = _schema()


def json_body_operations() -> list[tuple[str, str]]:
    """Every operation of the schema that takes a JSON body (a new one is covered too)."""
    found = []
    for path, operations in sorted(SCHEMA["paths"].items()):
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                found.append((method.upper(), path.replace("{", "x").replace("}", "")))
    return found


JSON_OPERATIONS = json_body_operations()


def test_the_json_operations_are_found() -> None:
    assert ("POST", "/api/apikeys") in JSON_OPERATIONS
    assert ("POST", "/api/configs") in JSON_OPERATIONS
    assert len(JSON_OPERATIONS) > 10


@pytest.mark.parametrize(
    ("method", "path"), JSON_OPERATIONS, ids=[" ".join(o) for o in JSON_OPERATIONS]
)
async def test_nul_in_any_json_body_is_refused(
    admin_client: httpx.AsyncClient, method: str, path: str
) -> None:
    body = {"name": "a\u0000b", "username": "u\u0000", "fieldUpdates": {"x": "\u0000"}}
    response = await admin_client.request(method, path, json=body)
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["detail"]


def test_every_operation_documents_the_refusal() -> None:
    """The guard applies to every route, so every operation's schema lists its 400."""
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in SCHEMA["paths"].items()
        for method, operation in operations.items()
        if "400" not in operation["responses"]
    ]
    assert undocumented == []


@pytest.mark.parametrize(
    "value", [SQLISH, SCRIPT, "%", "_", "\\", "' OR 1=1 --", "\u202e\U0001f48a" * 30]
)
async def test_filters_take_any_text_as_data(admin_client: httpx.AsyncClient, value: str) -> None:
    await upload_one(admin_client)
    for name in ("q", "engine", "field"):
        response = await admin_client.get("/api/prescriptions", params={name: value})
        assert response.status_code == 200, (name, response.text)
        assert response.json() == []
    results = await admin_client.get("/api/extraction-results", params={"field": value})
    assert results.status_code == 200


async def test_hostile_ids_are_404(admin_client: httpx.AsyncClient) -> None:
    for rx_id in (SQLISH, "x" * 5000, "..%2F..%2Fetc%2Fpasswd"):
        response = await admin_client.get(f"/api/prescriptions/{rx_id}")
        assert response.status_code == 404


async def test_configs_keep_hostile_names_as_text(admin_client: httpx.AsyncClient) -> None:
    response = await admin_client.post(
        "/api/configs", json={"name": SCRIPT, "selectedModels": ["alpha"]}
    )
    assert response.status_code == 201
    assert response.json()["name"] == SCRIPT


async def test_wrong_json_shapes_are_422(admin_client: httpx.AsyncClient) -> None:
    for body in ([], "text", {"fieldUpdates": []}, {"fieldUpdates": "x"}):
        response = await admin_client.patch("/api/prescriptions/x/extracted-data", json=body)
        assert response.status_code == 422, body
        assert response.json()["error"] == "invalid_request"
