"""`GET /api/extraction-results` filters: on the result (prescription, engine, field) and
on its prescription (status, upload dates, needs review, text), meaning what they mean on
`GET /api/prescriptions`, with keyset pages that keep the filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi import FastAPI

from tests.api.helpers import create_prescriptions, create_results

ENGINES = ["alpha", "beta"]
FIELDS = ["patientDetails.patientName", "medications.0.name"]


@dataclass(frozen=True)
class Ids:
    done: str  # completed, 2025-03-01, needs review, Ravi Kumar, paracetamol
    waiting: str  # queued, 2020-01-02, file waiting.png
    failed: str  # failed, 2024-06-15, Asha Rao, amoxicillin


async def _one(app: FastAPI, **values: object) -> str:
    [rx_id] = await create_prescriptions(app, 1, **values)
    await create_results(app, rx_id, ENGINES, FIELDS)
    return rx_id


@pytest.fixture
async def ids(app: FastAPI) -> Ids:
    done = await _one(
        app,
        file_name="scan-1.png",
        processing_status="completed",
        uploaded_at=datetime(2025, 3, 1, 9, tzinfo=UTC),
        fields_needing_review=1,
        patient_name="Ravi Kumar",
        drug_names="paracetamol",
    )
    waiting = await _one(
        app, file_name="waiting.png", uploaded_at=datetime(2020, 1, 2, 12, tzinfo=UTC)
    )
    failed = await _one(
        app,
        file_name="scan-3.png",
        processing_status="failed",
        uploaded_at=datetime(2024, 6, 15, tzinfo=UTC),
        patient_name="Asha Rao",
        drug_names="amoxicillin",
    )
    return Ids(done, waiting, failed)


async def _of(client: httpx.AsyncClient, query: str) -> set[str]:
    """The prescriptions whose results the query returns (each with all four)."""
    response = await client.get(f"/api/extraction-results?{query}")
    assert response.status_code == 200, response.text
    rows = response.json()
    found = {row["prescriptionId"] for row in rows}
    if "engine" not in query and "field" not in query:
        assert len(rows) == len(found) * len(ENGINES) * len(FIELDS), query
    return found


async def test_filters_on_the_prescription(viewer_client: httpx.AsyncClient, ids: Ids) -> None:
    assert await _of(viewer_client, "") == {ids.done, ids.waiting, ids.failed}
    assert await _of(viewer_client, "status=completed") == {ids.done}
    assert await _of(viewer_client, "status=queued,failed") == {ids.waiting, ids.failed}
    assert await _of(viewer_client, "status=queued&status=failed") == {ids.waiting, ids.failed}
    assert await _of(viewer_client, "from=2024-01-01") == {ids.done, ids.failed}
    assert await _of(viewer_client, "from=2020-01-01&to=2020-01-02") == {ids.waiting}
    assert await _of(viewer_client, "to=2019-12-31") == set()
    assert await _of(viewer_client, "needsReview=true") == {ids.done}
    assert await _of(viewer_client, "needsReview=false") == {ids.waiting, ids.failed}
    assert await _of(viewer_client, "q=RAVI") == {ids.done}  # patient, any case
    assert await _of(viewer_client, "q=amoxi") == {ids.failed}  # drug
    assert await _of(viewer_client, "q=waiting") == {ids.waiting}  # file name
    assert await _of(viewer_client, "q=%25") == set()  # a LIKE wildcard, searched literally


async def test_filters_combine_with_engine_and_field(
    viewer_client: httpx.AsyncClient, ids: Ids
) -> None:
    response = await viewer_client.get(
        "/api/extraction-results?status=completed&engine=alpha&field=medications"
    )
    [row] = response.json()
    assert (row["prescriptionId"], row["modelName"]) == (ids.done, "alpha")
    assert row["fieldName"] == "medications.0.name"
    both = f"prescriptionId={ids.failed}&needsReview=true"
    assert await _of(viewer_client, both) == set()


async def test_keyset_pages_keep_the_filters(viewer_client: httpx.AsyncClient, ids: Ids) -> None:
    seen: list[str] = []
    url: str | None = "/api/extraction-results?status=queued,failed&q=.png&limit=3"
    while url:
        response = await viewer_client.get(url)
        rows = response.json()
        assert 0 < len(rows) <= 3
        assert {row["prescriptionId"] for row in rows} <= {ids.waiting, ids.failed}
        seen += [row["id"] for row in rows]
        link = response.headers.get("Link")
        url = link.split(";")[0].strip("<>") if link else None
        if url:
            query = parse_qs(urlparse(url).query)
            assert query["status"] == ["queued,failed"] and query["q"] == [".png"]
    assert len(seen) == len(set(seen)) == 8


async def test_bad_filters_are_clear_400s(viewer_client: httpx.AsyncClient, ids: Ids) -> None:
    unknown = await viewer_client.get("/api/extraction-results?status=archived")
    assert unknown.status_code == 400
    assert "archived" in unknown.json()["detail"]
    bad_date = await viewer_client.get("/api/extraction-results?to=soon")
    assert bad_date.status_code == 400
    assert "to must be a date" in bad_date.json()["detail"]
