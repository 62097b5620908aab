"""Per-field custom prompts: set on a config by dotted path, reset to the built-in
instruction (which `/api/fields` and the prompt builder share), audited and announced."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from scriptsensei.core.db import Database
from scriptsensei.extraction.engine import ExtractionSettings
from scriptsensei.extraction.llm.prompt import build_prompt
from scriptsensei.models import AuditEntry

PROMPTS = {
    "patientDetails.patientName": "Copy the name with its initials.",
    "medications.0.drugName": "Brand names exactly as printed.",
    "vitals": "Vitals are often in the margin.",
}


async def _config(admin_client: httpx.AsyncClient) -> str:
    body = {"name": "Prompted", "selectedModels": ["tesseract"], "customPrompts": PROMPTS}
    created = await admin_client.post("/api/configs", json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_reset_removes_only_that_fields_prompt(
    admin_client: httpx.AsyncClient, app: FastAPI
) -> None:
    config_id = await _config(admin_client)
    reset = await admin_client.delete(
        f"/api/configs/{config_id}/prompts/patientDetails.patientName"
    )
    assert reset.status_code == 200, reset.text
    assert reset.json()["customPrompts"] == {
        k: v for k, v in PROMPTS.items() if k != "patientDetails.patientName"
    }
    # A medication field's prompt is stored per index or not: either key is the field's.
    reset = await admin_client.delete(f"/api/configs/{config_id}/prompts/medications.drugName")
    assert reset.json()["customPrompts"] == {"vitals": PROMPTS["vitals"]}
    again = await admin_client.delete(f"/api/configs/{config_id}/prompts/medications.drugName")
    assert again.status_code == 200

    db: Database = app.state.runtime.db
    async with db.sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions.count("config.prompt_reset") == 2  # nothing changed the third time


@pytest.mark.parametrize("db_backend", ["sqlite"])
@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/configs/{id}/prompts/patientDetails.shoeSize", 400, "not a field or group"),
        ("/api/configs/00000000-0000-4000-8000-00000000dead/prompts/vitals", 404, "no extraction"),
    ],
)
async def test_reset_refusals(
    admin_client: httpx.AsyncClient, path: str, status: int, words: str
) -> None:
    config_id = await _config(admin_client)
    response = await admin_client.delete(path.replace("{id}", config_id))
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_fields_list_the_prompt_builders_defaults(admin_client: httpx.AsyncClient) -> None:
    response = await admin_client.get("/api/fields")
    assert response.status_code == 200, response.text
    defaults = {f["field"]: f["defaultPrompt"] for f in response.json()}
    assert defaults["medications"] == "one object per medicine, in the order written; [] when none"
    assert defaults["vitals"] is None
    assert "medications.0.drugName" not in defaults
    prompt = build_prompt(ExtractionSettings(("patientDetails", "medications"))).user
    for field in ("patientDetails.patientName", "medications.drugName"):
        assert f"- {field}: {defaults[field]}" in prompt
    custom = build_prompt(
        ExtractionSettings(("patientDetails",), {"patientDetails.patientName": "Initials too."})
    ).user
    assert "- patientDetails.patientName: Initials too." in custom
    assert defaults["patientDetails.patientName"] not in custom
