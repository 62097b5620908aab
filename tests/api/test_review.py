"""Reviewer decisions: stored beside the engines' values (never over them), extractedData
recomputed, review status, approval, history, the review queue, and the earlier app's
PUT on an extraction result."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from scriptsensei.models import AuditEntry, EventRecord, ExtractionResult, ReviewDecision
from tests.api.conftest import StartWorker
from tests.api.helpers import app_db, processed

STRENGTH = "medications.0.strength"


@pytest.fixture
async def rx_id(app: FastAPI, operator_client: httpx.AsyncClient, start_worker: StartWorker) -> str:
    await start_worker()
    [found] = await processed(app, operator_client)
    return found


async def _engine_rows(app: FastAPI, rx: str) -> list[tuple[str, str, str | None]]:
    async with app_db(app).sessions() as session:
        rows = await session.execute(
            select(
                ExtractionResult.model_name,
                ExtractionResult.field_name,
                ExtractionResult.extracted_value,
            )
            .where(ExtractionResult.prescription_id == rx)
            .order_by(ExtractionResult.model_name, ExtractionResult.field_name)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_completed_prescription_waits_for_review(
    reviewer_client: httpx.AsyncClient, rx_id: str
) -> None:
    row = (await reviewer_client.get(f"/api/prescriptions/{rx_id}")).json()["prescription"]
    assert row["reviewStatus"] == "pending"
    assert row["fieldsNeedingReview"] >= 1


async def test_patch_records_decisions_and_keeps_engine_values(
    app: FastAPI, reviewer_client: httpx.AsyncClient, rx_id: str
) -> None:
    before = await _engine_rows(app, rx_id)
    response = await reviewer_client.patch(
        f"/api/prescriptions/{rx_id}/extracted-data",
        json={"fieldUpdates": {STRENGTH: "500 mg", "patientDetails.age": "46"}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["extractedData"]["medications"][0]["strength"] == "500 mg"
    assert body["extractedData"]["patientDetails"]["age"] == "46"
    assert body["extractedData"]["patientDetails"]["patientName"] == "Ravi Kumar"
    assert body["fieldsNeedingReview"] == 0
    assert body["reviewStatus"] == "reviewed"
    decided = {d["fieldName"]: d for d in body["decisions"]}
    assert decided["patientDetails.age"]["previousValue"] == "45"
    assert decided["patientDetails.age"]["finalValue"] == "46"
    assert decided["patientDetails.age"]["action"] == "correct"
    assert decided[STRENGTH]["actorName"] == "reviewer-key"
    assert await _engine_rows(app, rx_id) == before  # engines' values untouched
    async with app_db(app).sessions() as session:
        stored = list(
            await session.scalars(
                select(ReviewDecision).where(ReviewDecision.prescription_id == rx_id)
            )
        )
        events = list(
            await session.scalars(
                select(EventRecord.type).where(EventRecord.prescription_id == rx_id)
            )
        )
        audit = list(
            await session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == rx_id))
        )
    assert len(stored) == 2
    assert "review_updated" in events
    assert "prescription.review" in audit


async def test_later_decision_wins_and_history_lists_all(
    reviewer_client: httpx.AsyncClient, rx_id: str
) -> None:
    for value in ("500 mg", "650 mg"):
        response = await reviewer_client.patch(
            f"/api/prescriptions/{rx_id}/extracted-data", json={"fieldUpdates": {STRENGTH: value}}
        )
        assert response.status_code == 200
    history = (await reviewer_client.get(f"/api/prescriptions/{rx_id}/review-history")).json()
    assert [d["finalValue"] for d in history] == ["650 mg", "500 mg"]  # newest first
    assert history[0]["previousValue"] == "500 mg"
    data = (await reviewer_client.get(f"/api/prescriptions/{rx_id}")).json()["prescription"]
    assert data["extractedData"]["medications"][0]["strength"] == "650 mg"


async def test_whole_group_updates_of_the_earlier_app(
    reviewer_client: httpx.AsyncClient, rx_id: str
) -> None:
    response = await reviewer_client.patch(
        f"/api/prescriptions/{rx_id}/extracted-data",
        json={"fieldUpdates": {"vitals": {"pulse": "72/min"}, "medications": [{"route": "oral"}]}},
    )
    assert response.status_code == 200, response.text
    data = response.json()["extractedData"]
    assert data["vitals"]["pulse"] == "72/min"
    assert data["medications"][0]["route"] == "oral"
    assert data["medications"][0]["drugName"] == "Paracetamol"


@pytest.mark.parametrize(
    ("updates", "words"),
    [
        ({"patientDetails.shoeSize": "9"}, "not a field"),
        ({}, "empty"),
        ({"medications.1000.drugName": "x"}, "at most"),
        ({"patientDetails.age": {"nested": 1}}, "not an object"),
        ({"patientDetails.age": "9" * 6000}, "longer than"),
        ({"vitals": "high"}, "group"),
    ],
)
async def test_bad_updates_are_400(
    reviewer_client: httpx.AsyncClient, rx_id: str, updates: dict[str, object], words: str
) -> None:
    response = await reviewer_client.patch(
        f"/api/prescriptions/{rx_id}/extracted-data", json={"fieldUpdates": updates}
    )
    assert response.status_code == 400, response.text
    assert words in response.json()["detail"]


async def test_malformed_body_is_422(reviewer_client: httpx.AsyncClient, rx_id: str) -> None:
    response = await reviewer_client.patch(
        f"/api/prescriptions/{rx_id}/extracted-data",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


async def test_accept_an_engine_value(reviewer_client: httpx.AsyncClient, rx_id: str) -> None:
    response = await reviewer_client.post(
        f"/api/prescriptions/{rx_id}/review/accept", json={"fieldName": STRENGTH, "engine": "beta"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["extractedData"]["medications"][0]["strength"] == "650 mg"
    [decision] = body["decisions"]
    assert decision["action"] == "accept"
    assert decision["sourceEngine"] == "beta"
    missing = await reviewer_client.post(
        f"/api/prescriptions/{rx_id}/review/accept",
        json={"fieldName": "vitals.bmi", "engine": "beta"},
    )
    assert missing.status_code == 404
    consensus = await reviewer_client.post(
        f"/api/prescriptions/{rx_id}/review/accept", json={"fieldName": "patientDetails.age"}
    )
    assert consensus.status_code == 200
    assert consensus.json()["decisions"][0]["finalValue"] == "45"


async def test_approve_waits_for_open_fields_unless_forced(
    reviewer_client: httpx.AsyncClient, rx_id: str
) -> None:
    refused = await reviewer_client.post(f"/api/prescriptions/{rx_id}/approve")
    assert refused.status_code == 409
    assert "need review" in refused.json()["detail"]
    forced = await reviewer_client.post(f"/api/prescriptions/{rx_id}/approve", json={"force": True})
    assert forced.status_code == 200
    assert forced.json()["reviewStatus"] == "approved"
    assert forced.json()["approvedBy"] == "reviewer-key"
    # A change after approval withdraws it.
    changed = await reviewer_client.patch(
        f"/api/prescriptions/{rx_id}/extracted-data", json={"fieldUpdates": {STRENGTH: "500 mg"}}
    )
    assert changed.json()["reviewStatus"] == "reviewed"
    assert changed.json()["approvedAt"] is None
    again = await reviewer_client.post(f"/api/prescriptions/{rx_id}/approve")
    assert again.status_code == 200


async def test_operator_and_viewer_cannot_review(
    operator_client: httpx.AsyncClient, viewer_client: httpx.AsyncClient, rx_id: str
) -> None:
    for client in (operator_client, viewer_client):
        response = await client.patch(
            f"/api/prescriptions/{rx_id}/extracted-data", json={"fieldUpdates": {STRENGTH: "1 g"}}
        )
        assert response.status_code == 403


async def test_review_queue_walks_in_upload_order(
    app: FastAPI, operator_client: httpx.AsyncClient, reviewer_client: httpx.AsyncClient,
    start_worker: StartWorker,
) -> None:  # fmt: skip
    await start_worker()
    first, second = await processed(app, operator_client, count=2)
    head = (await reviewer_client.get("/api/review/next")).json()
    assert head["remaining"] == 2
    nxt = (await reviewer_client.get(f"/api/review/next?after={head['prescription']['id']}")).json()
    assert head["prescription"]["id"] == first  # uploaded first, reviewed first
    assert nxt["prescription"]["id"] == second
    await reviewer_client.post(
        f"/api/prescriptions/{nxt['prescription']['id']}/approve", json={"force": True}
    )
    wrapped = (
        await reviewer_client.get(f"/api/review/next?after={head['prescription']['id']}")
    ).json()
    assert wrapped["remaining"] == 1
    assert wrapped["prescription"] is None  # only the current one is left
    await reviewer_client.post(
        f"/api/prescriptions/{head['prescription']['id']}/approve", json={"force": True}
    )
    empty = (await reviewer_client.get("/api/review/next")).json()
    assert empty == {"prescription": None, "remaining": 0}


async def test_put_extraction_result_saves_as_a_decision(
    app: FastAPI, reviewer_client: httpx.AsyncClient, rx_id: str
) -> None:
    results = (
        await reviewer_client.get(
            f"/api/extraction-results?prescriptionId={rx_id}&field={STRENGTH}"
        )
    ).json()
    beta = next(r for r in results if r["modelName"] == "beta")
    response = await reviewer_client.put(
        f"/api/extraction-results/{beta['id']}", json={"extractedValue": "600 mg"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["extractedValue"] == "650 mg"  # what the engine read stays
    assert body["finalValue"] == "600 mg"
    assert body["decision"]["fieldName"] == STRENGTH
    data = (await reviewer_client.get(f"/api/prescriptions/{rx_id}")).json()["prescription"][
        "extractedData"
    ]
    assert data["medications"][0]["strength"] == "600 mg"
    async with app_db(app).sessions() as session:
        stored = await session.get(ExtractionResult, beta["id"])
    assert stored is not None and stored.extracted_value == "650 mg"
    missing = await reviewer_client.put(
        "/api/extraction-results/nope", json={"extractedValue": "x"}
    )
    assert missing.status_code == 404


async def test_extraction_results_pages_and_filters(
    reviewer_client: httpx.AsyncClient, rx_id: str
) -> None:
    first = await reviewer_client.get(f"/api/extraction-results?prescriptionId={rx_id}&limit=3")
    assert first.status_code == 200
    assert len(first.json()) == 3
    assert 'rel="next"' in first.headers["Link"]
    seen = [r["id"] for r in first.json()]
    cursor = first.headers["X-Next-Cursor"]
    while cursor:
        page = await reviewer_client.get(
            f"/api/extraction-results?prescriptionId={rx_id}&limit=3&cursor={cursor}"
        )
        seen += [r["id"] for r in page.json()]
        cursor = page.headers.get("X-Next-Cursor", "")
    assert len(seen) == len(set(seen)) == 10  # 5 fields x 2 engines
    alpha = (
        await reviewer_client.get("/api/extraction-results?engine=alpha&field=patientDetails")
    ).json()
    assert {r["fieldName"] for r in alpha} == {"patientDetails.patientName", "patientDetails.age"}
    assert {r["modelName"] for r in alpha} == {"alpha"}
    bad = await reviewer_client.get("/api/extraction-results?cursor=bad")
    assert bad.status_code == 400
