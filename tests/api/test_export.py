"""Exports: wide and long CSV, JSON and NDJSON, filtered, streamed in keyset batches, with
spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from scriptsensei.export import service
from scriptsensei.export.service import ExportRequest, safe_cell
from scriptsensei.models import AuditEntry
from scriptsensei.prescriptions.listing import PrescriptionFilters
from tests.api.conftest import StartWorker
from tests.api.helpers import app_db, processed, upload_one


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
async def done(
    app: FastAPI, operator_client: httpx.AsyncClient, start_worker: StartWorker
) -> list[str]:
    worker = await start_worker()
    ids = await processed(app, operator_client, count=2)
    await worker.stop()
    return ids


async def test_wide_csv_has_a_column_per_field(
    operator_client: httpx.AsyncClient, reviewer_client: httpx.AsyncClient, done: list[str]
) -> None:
    await reviewer_client.patch(
        f"/api/prescriptions/{done[0]}/extracted-data",
        json={"fieldUpdates": {"medications.1.drugName": '=HYPERLINK("http://x")'}},
    )
    queued = await upload_one(operator_client, "queued.png", seed=90)
    response = await operator_client.get("/api/export/csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _rows(response.text)
    assert [r["id"] for r in rows] == [queued, done[1], done[0]]  # newest first
    header = list(rows[0])
    assert header[:5] == ["id", "fileName", "uploadedAt", "processingStatus", "reviewStatus"]
    assert "patientDetails.patientName" in header
    assert "medications.1.specialInstructions" in header  # up to the largest count
    assert "medications.2.drugName" not in header
    first = next(r for r in rows if r["id"] == done[0])
    assert first["patientDetails.patientName"] == "Ravi Kumar"
    assert first["medications.1.drugName"].startswith("'=HYPERLINK")  # not a formula
    assert first["reviewStatus"] == "pending"


async def test_filters_and_ids_apply(operator_client: httpx.AsyncClient, done: list[str]) -> None:
    await upload_one(operator_client, "queued.png", seed=91)
    completed = _rows((await operator_client.get("/api/export/csv?status=completed")).text)
    assert sorted(r["id"] for r in completed) == sorted(done)
    chosen = _rows((await operator_client.get(f"/api/export/csv?prescriptionIds={done[0]}")).text)
    assert [r["id"] for r in chosen] == [done[0]]
    bad = await operator_client.get("/api/export/csv?status=nope")
    assert bad.status_code == 400


async def test_long_csv_has_a_row_per_engine_and_field(
    operator_client: httpx.AsyncClient, reviewer_client: httpx.AsyncClient, done: list[str]
) -> None:
    await reviewer_client.patch(
        f"/api/prescriptions/{done[0]}/extracted-data",
        json={"fieldUpdates": {"medications.0.strength": "500 mg"}},
    )
    text = (
        await operator_client.get(f"/api/export/csv?format=long&prescriptionIds={done[0]}")
    ).text
    rows = _rows(text)
    assert len(rows) == 10  # 2 engines x 5 fields
    assert list(rows[0]) == service.LONG_COLUMNS
    beta = next(r for r in rows if r["engine"] == "beta" and r["field"] == "medications.0.strength")
    assert beta["value"] == "650 mg"
    assert beta["finalValue"] == "500 mg"
    assert beta["normalizedValue"]
    assert float(beta["confidence"]) == pytest.approx(0.9)


async def test_json_and_ndjson(
    app: FastAPI, operator_client: httpx.AsyncClient, done: list[str]
) -> None:
    array = (await operator_client.get("/api/export/json")).json()
    assert [item["id"] for item in array] == list(reversed(done))
    assert array[0]["extractedData"]["patientDetails"]["patientName"] == "Ravi Kumar"
    assert "imageData" not in array[0]
    for url in ("/api/export/ndjson", "/api/export/json?format=ndjson"):
        response = await operator_client.get(url)
        assert response.headers["content-type"].startswith("application/x-ndjson")
        lines = response.text.strip().split("\n")
        assert [json.loads(line)["id"] for line in lines] == list(reversed(done))
    empty = await operator_client.get("/api/export/json?status=failed")
    assert empty.json() == []
    async with app_db(app).sessions() as session:
        exports = list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "prescription.export")
            )
        )
    assert len(exports) == 4
    assert exports[0].actor_name == "operator-key"


async def test_viewer_cannot_export(viewer_client: httpx.AsyncClient) -> None:
    assert (await viewer_client.get("/api/export/csv")).status_code == 403


async def test_batches_are_streamed_one_by_one(
    app: FastAPI, operator_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [await upload_one(operator_client, f"{i}.png", seed=i) for i in range(5)]
    monkeypatch.setattr(service, "BATCH_SIZE", 2)
    db = app_db(app)
    batches = [[rx.id for rx in batch] async for batch in service.batches(db, ExportRequest(), 2)]
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [i for b in batches for i in b] == list(reversed(ids))
    chunks = [chunk async for chunk in service.wide_csv(db, ExportRequest(PrescriptionFilters()))]
    assert len(chunks) == 1 + 3  # the header, then one chunk per batch as it is read
    lines = [c async for c in service.ndjson(db, ExportRequest())]
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("500 mg", "500 mg"), (None, None), (0.9, 0.9)],
)  # fmt: skip
def test_csv_injection_guard(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_too_many_ids_is_refused() -> None:
    from scriptsensei.core.errors import BadRequest

    with pytest.raises(BadRequest, match="At most"):
        service.parse_ids(",".join(str(i) for i in range(service.MAX_IDS + 1)))
