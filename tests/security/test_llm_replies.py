"""A vision LLM that answers with prompt-injection text, or with far too much: a real
processing through the API, the engine pointed at the fake chat-completions server. The
reply stays data (a field value, nothing more) and bounded in size."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from scriptsensei.app import create_app
from scriptsensei.auth.permissions import Role
from scriptsensei.core.settings import Settings
from scriptsensei.models import EngineRun, ExtractionResult
from tests.conftest import make_settings
from tests.fakes.fixtures import engine_settings_for
from tests.fakes.openai_server import INJECTION_TEXT, FakeOpenAIServer, huge_reply, injection_reply
from tests.security.hostile_files import png
from tests.support.auth_clients import api_key_for, app_db, key_client, session_client

SECTIONS = {
    "prescriptionType", "patientDetails", "clinicalDetails", "vitals", "medications",
    "advice", "doctorDetails", "clinicDetails",
}  # fmt: skip
HUGE_CHARS = 3_000_000  # refused unparsed by the engine
LARGE_CHARS = 400_000  # parsed: one value of 400k characters
MAX_STORED_REPLY_CHARS = 256 * 1024


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fake_llm: FakeOpenAIServer) -> Settings:
    return make_settings(
        database_url,
        tmp_path / "data",
        local_engines=[],
        llm_engines=[engine_settings_for(fake_llm, "openai", max_retries=0)],
        embedded_workers=True,
        upload_and_process_timeout=30.0,
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def _process(app: FastAPI) -> dict[str, object]:
    async with key_client(app, await api_key_for(app, Role.OPERATOR)) as operator:
        response = await operator.post(
            "/api/prescriptions/upload-and-process",
            files={"files": ("rx.png", png(), "image/png")},
            data={"selectedModels": "openai"},
        )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_injected_instructions_stay_a_field_value(
    app: FastAPI, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(injection_reply())
    result = await _process(app)
    assert result["status"] == "completed"
    data = result["extractedData"]
    assert isinstance(data, dict)
    assert data["patientDetails"]["patientName"] == INJECTION_TEXT
    assert data["medications"][0]["drugName"] == "Paracetamol"  # not "Morphine 100 mg"
    assert data["medications"][0]["specialInstructions"] == INJECTION_TEXT
    assert len(data["medications"]) == 1
    values = result["modelResults"]["openai"]["values"]  # type: ignore[index]
    assert {path for path, value in values.items() if value is not None} == {
        "patientDetails.patientName",
        "patientDetails.age",
        "medications.0.drugName",
        "medications.0.specialInstructions",
    }
    assert {path.split(".")[0] for path in values} <= SECTIONS
    # Exactly one call was made: the reply did not make the server do anything more.
    assert len(fake_llm.requests) == 1
    browser = await session_client(app, Role.VIEWER)
    try:
        page = await browser.get(f"/prescriptions/{result['id']}")
    finally:
        await browser.aclose()
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_a_huge_reply_is_refused_unparsed(app: FastAPI, fake_llm: FakeOpenAIServer) -> None:
    fake_llm.enqueue(huge_reply(HUGE_CHARS))
    result = await _process(app)
    assert result["status"] == "failed"
    assert "not parsed" in str(result["modelResults"]["openai"]["error"])  # type: ignore[index]
    async with app_db(app).sessions() as session:
        run = (await session.scalars(select(EngineRun))).one()
        assert await session.scalar(select(func.count()).select_from(ExtractionResult)) == 0
    assert len(json.dumps(run.raw_output or {})) < MAX_STORED_REPLY_CHARS
    assert len(str(run.error)) < 1000


async def test_a_large_reply_is_stored_bounded(app: FastAPI, fake_llm: FakeOpenAIServer) -> None:
    fake_llm.enqueue(huge_reply(LARGE_CHARS))
    result = await _process(app)
    async with app_db(app).sessions() as session:
        run = (await session.scalars(select(EngineRun))).one()
        longest = await session.scalar(
            select(func.max(func.length(ExtractionResult.extracted_value)))
        )
    raw = run.raw_output or {}
    assert len(json.dumps(raw)) < MAX_STORED_REPLY_CHARS + 10_000
    assert raw.get("reply_truncated") is True
    # Whatever the engine made of it, no stored value is megabytes long.
    assert (longest or 0) <= 10_000, f"a stored value of {longest} characters"
    assert result["status"] in ("completed", "failed")
    listed = await _list_size(app)
    assert listed < 100_000, f"a list answer of {listed} bytes"


async def _list_size(app: FastAPI) -> int:
    async with key_client(app, await api_key_for(app, Role.VIEWER, "reader")) as reader:
        response: httpx.Response = await reader.get("/api/prescriptions")
    return len(response.content)
