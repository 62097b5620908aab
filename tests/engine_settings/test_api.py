"""`/api/engines/{name}` and the Settings page: what an admin sees and changes, the
refusals with their reasons, and a change made through one app instance reaching another
that shares the PostgreSQL database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from scriptsensei.app import create_app
from scriptsensei.auth.permissions import Role
from scriptsensei.core.settings import Settings
from tests.support.auth_clients import api_key_for, key_client, session_client


async def _engines(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    response = await client.get("/api/engines")
    assert response.status_code == 200, response.text
    return {e["name"]: e for e in response.json()}


async def test_an_admin_sees_the_settings_and_whether_a_key_is_set(
    admin_client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await admin_client.get("/api/engines/keyed")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["apiKey"] == "missing"
    assert body["apiKeyVariable"] == "SCRIPTSENSEI_TEST_KEY_NEVER_SET"
    assert body["available"] is False and "SCRIPTSENSEI_TEST_KEY_NEVER_SET" in body["reason"]
    assert body["editable"] == [
        "enabled", "model", "baseUrl", "inputPricePerMTok", "outputPricePerMTok",
    ]  # fmt: skip
    assert body["overridden"] == []
    local = (await admin_client.get("/api/engines/tesseract")).json()
    assert (local["kind"], local["editable"], local["apiKey"]) == ("ocr", ["enabled"], "not needed")


async def test_changes_apply_at_once_and_null_gives_back_the_environment(
    admin_client: httpx.AsyncClient, settings: Settings
) -> None:
    change = {"model": "vision/other", "baseUrl": "http://127.0.0.1:9/v1", "outputPricePerMTok": 0}
    response = await admin_client.put("/api/engines/vision", json=change)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["model"], body["baseUrl"], body["outputPricePerMTok"]) == (
        "vision/other", "http://127.0.0.1:9/v1", 0.0,
    )  # fmt: skip
    assert body["overridden"] == ["model", "baseUrl", "outputPricePerMTok"]
    assert body["updatedBy"] == "admin-key"
    assert (await _engines(admin_client))["vision"]["version"].startswith("vision/other+")

    off = await admin_client.put("/api/engines/tesseract", json={"enabled": False})
    assert off.status_code == 200, off.text
    listed = await _engines(admin_client)
    assert listed["tesseract"]["available"] is False
    assert listed["tesseract"]["reason"] == "switched off in Settings"

    back = await admin_client.put("/api/engines/vision", json={"model": None, "baseUrl": None})
    assert back.json()["model"] == settings.llm_engines[0].model
    assert back.json()["overridden"] == ["outputPricePerMTok"]


@pytest.mark.parametrize("db_backend", ["sqlite"])
@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("/api/engines/vision", {"baseUrl": "file:///etc/passwd"}, 400, "http:// or https://"),
        ("/api/engines/vision", {"inputPricePerMTok": -0.5}, 400, "0 or more"),
        ("/api/engines/vision", {"model": ""}, 400, "cannot be empty"),
        ("/api/engines/tesseract", {"baseUrl": "http://x.org"}, 400, "only enabled"),
        ("/api/engines/vision", {"enabled": "perhaps"}, 422, "enabled"),
        ("/api/engines/vision", {"inputPricePerMTok": "cheap"}, 422, "inputPricePerMTok"),
        ("/api/engines/vision", {"apiKey": "sk-1"}, 422, "API keys are not stored here"),
        ("/api/engines/vision", {"temperature": 1}, 422, "temperature"),
        ("/api/engines/gpt-9", {"enabled": False}, 404, "no engine named 'gpt-9'"),
    ],
)
async def test_refusals_say_what_is_wrong(
    admin_client: httpx.AsyncClient, path: str, body: dict[str, Any], status: int, words: str
) -> None:
    response = await admin_client.put(path, json=body)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_only_admins_see_or_change_engine_settings(
    viewer_client: httpx.AsyncClient,
) -> None:
    assert (await viewer_client.get("/api/engines/vision")).status_code == 403
    refused = await viewer_client.put("/api/engines/vision", json={"enabled": False})
    assert refused.status_code == 403
    assert (await viewer_client.get("/api/engines")).status_code == 200


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_the_settings_page_shows_engines_prompts_and_user_controls(app: FastAPI) -> None:
    admin = await session_client(app, Role.ADMIN, "page-admin")
    try:
        put = await admin.put("/api/engines/vision", json={"enabled": False})
        assert put.status_code == 200, put.text
        page = await admin.get("/settings")
    finally:
        await admin.aclose()
    assert page.status_code == 200
    html = page.text
    assert 'data-engine-enabled="vision"' in html and "switched off in Settings" in html
    assert 'data-url="/api/engines/vision"' in html and 'data-url="/api/engines/keyed"' in html
    assert 'data-url="/api/engines/tesseract"' not in html  # only LLM engines have a form
    assert "SCRIPTSENSEI_TEST_KEY_NEVER_SET" in html
    assert 'name="customPrompts.patientDetails.patientName"' in html
    assert 'name="customPrompts.medications.drugName"' in html
    assert "Default: the patient&#39;s full name, without titles such as Mr/Mrs" in html
    assert 'aria-label="Deactivate page-admin"' in html
    assert 'aria-label="Set the password of page-admin"' in html


@pytest.fixture
async def second_app(settings: Settings, app: FastAPI) -> AsyncIterator[FastAPI]:
    """Another instance of the app on the same database, as on another host."""
    other = create_app(settings)
    async with other.router.lifespan_context(other):
        yield other


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"])
async def test_a_change_through_one_instance_reaches_another(
    app: FastAPI, second_app: FastAPI, admin_client: httpx.AsyncClient
) -> None:
    async with key_client(second_app, await api_key_for(second_app, Role.ADMIN)) as other:
        assert (await _engines(other))["tesseract"]["available"] is True
        response = await admin_client.put("/api/engines/tesseract", json={"enabled": False})
        assert response.status_code == 200, response.text
        deadline = time.monotonic() + 10
        while (await _engines(other))["tesseract"]["available"]:
            assert time.monotonic() < deadline, "the other instance kept the old settings"
            await asyncio.sleep(0.05)
        assert (await _engines(other))["tesseract"]["reason"] == "switched off in Settings"
