"""Operations on a prescription over HTTP: process, reprocess, retry, cancel, delete; and
the figures of /api/stats."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from scriptsensei.extraction.engine import PermanentEngineError
from scriptsensei.models import AuditEntry
from tests.api.conftest import StartWorker
from tests.api.helpers import app_db, processed, settle, upload_one
from tests.jobs.fake_engines import FakeEngine


async def test_process_with_chosen_engines(operator_client: httpx.AsyncClient) -> None:
    rx_id = await upload_one(operator_client)
    busy = await operator_client.post(f"/api/prescriptions/{rx_id}/process", json={})
    assert busy.status_code == 409  # its upload run is still queued
    cancelled = await operator_client.post(f"/api/prescriptions/{rx_id}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "failed"
    response = await operator_client.post(
        f"/api/prescriptions/{rx_id}/process",
        json={"selectedModels": ["beta"], "customPrompts": {"vitals": "Read the pulse."}},
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["engines"] == ["beta"]
    assert body["status"] == "queued"
    assert body["statusUrl"] == f"/api/prescriptions/{rx_id}"
    detail = (await operator_client.get(f"/api/prescriptions/{rx_id}/detail")).json()
    assert detail["runs"][-1]["customPrompts"] == {"vitals": "Read the pulse."}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"selectedModels": ["gpt-9"]}, "Unknown engine"),
        ({"selectedFields": ["nowhere"]}, "Unknown field"),
        ({"customPrompts": {"vitals": "x" * 5000}}, "the limit is"),
        ({"configId": "missing"}, "no extraction config"),
    ],
)
async def test_process_refuses_bad_options(
    operator_client: httpx.AsyncClient, body: dict[str, object], words: str
) -> None:
    rx_id = await upload_one(operator_client)
    await operator_client.post(f"/api/prescriptions/{rx_id}/cancel")
    response = await operator_client.post(f"/api/prescriptions/{rx_id}/process", json=body)
    assert response.status_code in (400, 404), response.text
    assert words in response.json()["detail"]


async def test_retry_and_reprocess(
    app: FastAPI,
    operator_client: httpx.AsyncClient,
    start_worker: StartWorker,
    engines: list[FakeEngine],
) -> None:
    engines[1].script = [PermanentEngineError("unreadable")]
    await start_worker()
    [rx_id] = await processed(app, operator_client)
    row = (await operator_client.get(f"/api/prescriptions/{rx_id}")).json()["prescription"]
    assert row["processingStatus"] == "completed"
    assert row["enginesFailed"] == 1
    retried = await operator_client.post(f"/api/prescriptions/{rx_id}/retry")
    assert retried.status_code == 202
    assert retried.json()["engines"] == ["beta"]
    await settle(app)
    nothing = await operator_client.post(f"/api/prescriptions/{rx_id}/retry")
    assert nothing.status_code == 409
    again = await operator_client.post(f"/api/prescriptions/{rx_id}/reprocess")
    assert again.status_code == 202
    assert again.json()["reason"] == "reprocess"
    await settle(app)
    runs = (await operator_client.get(f"/api/prescriptions/{rx_id}/detail")).json()["runs"]
    assert [r["reason"] for r in runs] == ["upload", "retry", "reprocess"]


async def test_cancel_with_nothing_running_is_409(operator_client: httpx.AsyncClient) -> None:
    rx_id = await upload_one(operator_client)
    assert (await operator_client.post(f"/api/prescriptions/{rx_id}/cancel")).status_code == 200
    again = await operator_client.post(f"/api/prescriptions/{rx_id}/cancel")
    assert again.status_code == 409
    assert "nothing to cancel" in again.json()["detail"]


async def test_delete_needs_admin_and_is_audited(
    app: FastAPI, operator_client: httpx.AsyncClient, admin_client: httpx.AsyncClient
) -> None:
    rx_id = await upload_one(operator_client)
    assert (await operator_client.delete(f"/api/prescriptions/{rx_id}")).status_code == 403
    response = await admin_client.delete(f"/api/prescriptions/{rx_id}")
    assert response.status_code == 200
    assert response.json() == {"id": rx_id, "deleted": True}
    assert (await admin_client.get(f"/api/prescriptions/{rx_id}")).status_code == 404
    assert (await admin_client.delete(f"/api/prescriptions/{rx_id}")).status_code == 404
    async with app_db(app).sessions() as session:
        actions = set(
            await session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == rx_id))
        )
    assert {"prescription.create", "prescription.delete"} <= actions


async def test_stats(
    app: FastAPI,
    operator_client: httpx.AsyncClient,
    start_worker: StartWorker,
    engines: list[FakeEngine],
) -> None:
    engines[1].script = [PermanentEngineError("unreadable")]
    worker = await start_worker()
    await processed(app, operator_client, count=2)
    await worker.stop()
    await upload_one(operator_client, "later.png", seed=77)
    stats = (await operator_client.get("/api/stats")).json()
    assert stats["total"] == 3
    assert stats["byStatus"] == {"queued": 1, "processing": 0, "completed": 2, "failed": 0}
    # One read by both engines (they disagree on a strength), one by alpha alone (a drug
    # read by a single engine is always checked).
    assert stats["reviewBacklog"] == 2
    assert stats["byReviewStatus"]["pending"] == 2
    assert stats["fieldsNeedingReview"] >= 2
    by_engine = {e["name"]: e for e in stats["engines"]}
    assert by_engine["alpha"]["runs"] == 3
    assert by_engine["alpha"]["succeeded"] == 2
    assert by_engine["alpha"]["active"] == 1
    assert by_engine["alpha"]["successRate"] == 1.0
    assert by_engine["beta"]["failed"] == 1
    assert by_engine["beta"]["successRate"] == 0.5
    assert by_engine["alpha"]["meanDurationMs"] is not None
    bad = await operator_client.get("/api/stats?since=someday")
    assert bad.status_code == 400
