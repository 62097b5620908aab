"""Configs: the earlier app's names, validation against the registry and the field list,
exactly one default; and the engine statuses for the settings page."""

from __future__ import annotations

import asyncio

import httpx
import pytest

GOOD = {
    "name": "Local pair",
    "selectedModels": ["alpha", "beta"],
    "selectedFields": ["patientDetails", "medications.drugName"],
    "customPrompts": {"medications": "Read brand names exactly."},
    "agreementThreshold": 0.8,
}


async def test_create_list_update_delete(admin_client: httpx.AsyncClient) -> None:
    created = await admin_client.post("/api/configs", json=GOOD)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["selectedModels"] == ["alpha", "beta"]
    assert body["isDefault"] is False
    assert body["confidenceThreshold"] is None
    listed = (await admin_client.get("/api/configs")).json()
    assert listed[0]["isDefault"] is True  # the earlier app's default row comes first
    assert body["id"] in {c["id"] for c in listed}
    updated = await admin_client.put(
        f"/api/configs/{body['id']}", json={"selected_models": ["beta"], "confidenceThreshold": 0.5}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["selectedModels"] == ["beta"]
    assert updated.json()["selectedFields"] == GOOD["selectedFields"]  # not sent, kept
    assert updated.json()["confidenceThreshold"] == 0.5
    deleted = await admin_client.delete(f"/api/configs/{body['id']}")
    assert deleted.status_code == 204
    assert (await admin_client.get(f"/api/configs/{body['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"selectedModels": ["gpt-9"]}, 400, "Unknown engine 'gpt-9'"),
        ({"selectedFields": ["patientDetails.shoeSize"]}, 400, "Unknown field"),
        ({"customPrompts": {"vitals": "x" * 2001}}, 400, "the limit is 2000"),
        ({"customPrompts": {"nowhere": "x"}}, 400, "not a field"),
        ({"agreementThreshold": 1.5}, 422, "agreementThreshold"),
        ({"selectedModels": []}, 422, "selectedModels"),
        ({"name": ""}, 422, "name"),
    ],
)
async def test_validation_errors_say_what_is_wrong(
    admin_client: httpx.AsyncClient, change: dict[str, object], status: int, words: str
) -> None:
    response = await admin_client.post("/api/configs", json={**GOOD, **change})
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


async def test_exactly_one_default(admin_client: httpx.AsyncClient) -> None:
    ids = []
    for i in range(3):
        response = await admin_client.post("/api/configs", json={**GOOD, "name": f"c{i}"})
        ids.append(response.json()["id"])
    results = await asyncio.gather(*(admin_client.post(f"/api/configs/{i}/default") for i in ids))
    assert all(r.status_code == 200 for r in results)
    defaults = [c for c in (await admin_client.get("/api/configs")).json() if c["isDefault"]]
    assert len(defaults) == 1
    refused = await admin_client.delete(f"/api/configs/{defaults[0]['id']}")
    assert refused.status_code == 409
    unset = await admin_client.put(f"/api/configs/{defaults[0]['id']}", json={"isDefault": False})
    assert unset.status_code == 409
    created_default = await admin_client.post("/api/configs", json={**GOOD, "isDefault": True})
    defaults = [c for c in (await admin_client.get("/api/configs")).json() if c["isDefault"]]
    assert [d["id"] for d in defaults] == [created_default.json()["id"]]


async def test_default_config_drives_uploads(admin_client: httpx.AsyncClient) -> None:
    config = (
        await admin_client.post(
            "/api/configs", json={**GOOD, "selectedModels": ["beta"], "isDefault": True}
        )
    ).json()
    from tests.api.helpers import png, upload

    response = await upload(admin_client, ("a.png", png(1)))
    row = response.json()["prescriptions"][0]
    assert row["configId"] == config["id"]
    assert row["enginesTotal"] == 1


async def test_only_admins_manage_configs(
    reviewer_client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
) -> None:
    assert (await viewer_client.get("/api/configs")).status_code == 200
    assert (await reviewer_client.post("/api/configs", json=GOOD)).status_code == 403


async def test_engines_list_statuses(viewer_client: httpx.AsyncClient) -> None:
    response = await viewer_client.get("/api/engines")
    assert response.status_code == 200
    assert response.json() == [
        {"name": "alpha", "kind": "llm", "version": "fake-1", "available": True, "reason": None},
        {"name": "beta", "kind": "llm", "version": "fake-1", "available": True, "reason": None},
    ]
