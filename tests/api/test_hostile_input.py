"""Hostile values in paths, filters and bodies get a clear 4xx (never a 5xx), on both
databases; SQL-looking and script-looking values are data, stored and returned as sent."""

from __future__ import annotations

import httpx
import pytest

from tests.api.helpers import upload_one

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


async def test_nul_in_a_json_body_is_refused(admin_client: httpx.AsyncClient) -> None:
    response = await admin_client.post(
        "/api/configs", json={"name": "a\u0000b", "selectedModels": ["alpha"]}
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


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
