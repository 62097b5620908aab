"""Browser sessions (cookie + CSRF header) on the API, and reviewing rows of the earlier app
(no runs, no consensus: their stored extractedData is the base)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from scriptsensei.auth.permissions import Role
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import ExtractionResult, Prescription
from tests.api.helpers import app_db
from tests.support.auth_clients import session_client


async def _legacy_completed(app: FastAPI) -> str:
    data = {"patientDetails": {"patientName": "Asha"}, "medications": [{"drugName": "Dolo 650"}]}
    async with unit_of_work(app_db(app)) as session:
        row = Prescription(
            file_name="old.jpg", file_size="10", processing_status="completed",
            extracted_data=data, source="legacy",
        )  # fmt: skip
        session.add(row)
        await session.flush()
        session.add(
            ExtractionResult(
                prescription_id=row.id,
                model_name="openai",
                field_name="patientDetails.patientName",
                extracted_value="Asha",
            )
        )
        return row.id


async def test_session_client_needs_its_csrf_token(app: FastAPI) -> None:
    rx_id = await _legacy_completed(app)
    client = await session_client(app, Role.REVIEWER)
    try:
        body = {"fieldUpdates": {"patientDetails.age": "30"}}
        ok = await client.patch(f"/api/prescriptions/{rx_id}/extracted-data", json=body)
        assert ok.status_code == 200, ok.text
        del client.headers["X-CSRF-Token"]
        refused = await client.patch(f"/api/prescriptions/{rx_id}/extracted-data", json=body)
        assert refused.status_code == 403
        assert refused.json()["error"] == "csrf_failed"
        assert (await client.get(f"/api/prescriptions/{rx_id}")).status_code == 200
    finally:
        await client.aclose()


async def test_legacy_row_is_reviewed_on_its_stored_data(
    app: FastAPI, reviewer_client: httpx.AsyncClient
) -> None:
    rx_id = await _legacy_completed(app)
    response = await reviewer_client.patch(
        f"/api/prescriptions/{rx_id}/extracted-data",
        json={"fieldUpdates": {"medications.0.strength": "650 mg"}},
    )
    assert response.status_code == 200, response.text
    data = response.json()["extractedData"]
    assert data["patientDetails"]["patientName"] == "Asha"
    assert data["medications"][0] == {
        **data["medications"][0],
        "drugName": "Dolo 650",
        "strength": "650 mg",
    }
    assert response.json()["reviewStatus"] == "reviewed"
    detail = (await reviewer_client.get(f"/api/prescriptions/{rx_id}/detail")).json()
    assert detail["runs"] == []
    assert [r["modelName"] for r in detail["extractionResults"]] == ["openai"]
    assert detail["decisions"][0]["previousValue"] is None
    accept = await reviewer_client.post(
        f"/api/prescriptions/{rx_id}/review/accept",
        json={"fieldName": "patientDetails.patientName"},
    )
    assert accept.status_code == 409  # nothing to accept without a completed run
    approved = await reviewer_client.post(f"/api/prescriptions/{rx_id}/approve")
    assert approved.status_code == 200
