"""Contract of the prescription reads: the earlier app's shapes, keyset pages, filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text, update

from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import AuditEntry, Prescription
from scriptsensei.prescriptions.listing import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PrescriptionFilters,
    list_query,
)
from tests.api.conftest import StartWorker
from tests.api.helpers import app_db, create_prescriptions, processed, upload_one

EARLIER_ROW_KEYS = {
    "id",
    "fileName",
    "fileSize",
    "uploadedAt",
    "processingStatus",
    "extractedData",
    "createdAt",
}
OUR_ROW_KEYS = {
    "reviewStatus",
    "fieldsNeedingReview",
    "enginesTotal",
    "enginesDone",
    "enginesFailed",
    "pageCount",
    "source",
    "error",
    "imageUrl",
}


async def _same_upload_time(app: FastAPI, ids: list[str], moment: datetime) -> None:
    async with unit_of_work(app_db(app)) as session:
        await session.execute(
            update(Prescription).where(Prescription.id.in_(ids)).values(uploaded_at=moment)
        )


async def test_list_is_an_array_of_rows_without_image_bytes(
    admin_client: httpx.AsyncClient,
) -> None:
    await upload_one(admin_client, "first.png", seed=1)
    response = await admin_client.get("/api/prescriptions")
    assert response.status_code == 200
    [row] = response.json()
    assert set(row) >= EARLIER_ROW_KEYS | OUR_ROW_KEYS
    assert "imageData" not in row
    assert row["fileName"] == "first.png"
    assert row["processingStatus"] == "queued"
    assert row["enginesTotal"] == 2
    assert "Link" not in response.headers


async def test_pages_follow_the_link_header_and_are_stable_with_equal_times(
    app: FastAPI, admin_client: httpx.AsyncClient
) -> None:
    ids = [await upload_one(admin_client, f"rx{i}.png", seed=i) for i in range(5)]
    await _same_upload_time(app, ids, datetime(2025, 3, 1, tzinfo=UTC))
    seen: list[str] = []
    url: str | None = "/api/prescriptions?limit=2&status=queued"
    while url:
        response = await admin_client.get(url)
        assert response.status_code == 200
        assert len(response.json()) <= 2
        seen += [row["id"] for row in response.json()]
        link = response.headers.get("Link")
        if link:
            url = link.split(";")[0].strip("<>")
            query = parse_qs(urlparse(url).query)
            assert query["cursor"] == [response.headers["X-Next-Cursor"]]
            assert query["status"] == ["queued"]  # the filters ride along
        else:
            url = None
    assert sorted(seen) == sorted(ids)
    assert seen == sorted(ids, reverse=True)  # equal times: id breaks the tie


async def _page(client: httpx.AsyncClient, query: str) -> tuple[list[str], str | None]:
    response = await client.get(f"/api/prescriptions?includeData=false&{query}")
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()], response.headers.get("X-Next-Cursor")


async def test_limit_defaults_to_50_and_never_exceeds_200(
    app: FastAPI, admin_client: httpx.AsyncClient
) -> None:
    """The documented cap: `limit` above 200 is served as 200 (the rest on later pages)."""
    ids = await create_prescriptions(app, MAX_LIMIT + 1)
    default, _ = await _page(admin_client, "")
    assert len(default) == DEFAULT_LIMIT == 50
    capped, cursor = await _page(admin_client, "limit=1000")
    assert len(capped) == MAX_LIMIT == 200
    assert cursor is not None
    rest, last = await _page(admin_client, f"limit=1000&cursor={cursor}")
    assert last is None
    assert sorted(capped + rest) == sorted(ids)
    exact, _ = await _page(admin_client, "limit=200")
    assert exact == capped


async def test_limit_and_cursor_are_validated(admin_client: httpx.AsyncClient) -> None:
    bad = await admin_client.get("/api/prescriptions?limit=0")
    assert bad.status_code == 400
    assert bad.json()["error"] == "bad_request"
    cursor = await admin_client.get("/api/prescriptions?cursor=not-a-cursor")
    assert cursor.status_code == 400
    assert "cursor" in cursor.json()["detail"]


async def test_filters(
    app: FastAPI, admin_client: httpx.AsyncClient, start_worker: StartWorker
) -> None:
    worker = await start_worker()
    [done] = await processed(app, admin_client)
    await worker.stop()
    waiting = await upload_one(admin_client, "waiting.png", seed=50)
    await _same_upload_time(app, [waiting], datetime(2020, 1, 2, tzinfo=UTC))

    async def ids(query: str) -> set[str]:
        response = await admin_client.get(f"/api/prescriptions?{query}")
        assert response.status_code == 200, response.text
        return {row["id"] for row in response.json()}

    assert await ids("status=completed") == {done}
    assert await ids("status=queued,completed") == {done, waiting}
    assert await ids("from=2020-01-01&to=2020-01-02") == {waiting}  # a bare `to` date: all of it
    assert await ids("to=2020-01-01") == set()
    assert await ids("engine=beta") == {done, waiting}
    assert await ids("field=medications") == {done}
    assert await ids("needsReview=true") == {done}  # alpha and beta disagree on a strength
    assert await ids("needsReview=false") == {waiting}
    assert await ids("q=paraceta") == {done}  # drug name, case-insensitive
    assert await ids("q=RAVI") == {done}  # patient name
    assert await ids("q=waiting") == {waiting}  # file name
    assert await ids("q=%25") == set()  # a LIKE wildcard is searched for literally
    unknown = await admin_client.get("/api/prescriptions?status=archived")
    assert unknown.status_code == 400
    assert "archived" in unknown.json()["detail"]
    bad_date = await admin_client.get("/api/prescriptions?from=yesterday")
    assert bad_date.status_code == 400


async def test_list_without_data_keeps_the_key(admin_client: httpx.AsyncClient) -> None:
    await upload_one(admin_client)
    [row] = (await admin_client.get("/api/prescriptions?includeData=false")).json()
    assert row["extractedData"] is None


async def test_page_query_seeks_by_index_with_a_limit(app: FastAPI, db_backend: str) -> None:
    """Page N costs what page 1 costs: the query seeks through the keyset index and
    stops after limit+1 rows, whatever the cursor."""
    query = list_query(PrescriptionFilters(), None, 50, with_data=False)
    later = list_query(
        PrescriptionFilters(), "WyIyMDI1LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgIngiXQ", 50, False
    )
    db = app_db(app)
    for q in (query, later):
        compiled = q.compile(db.engine, compile_kwargs={"literal_binds": True})
        sql = str(compiled)
        assert "LIMIT 51" in sql
        assert re.search(r"OFFSET (?!0\b)", sql) is None  # SQLite spells out OFFSET 0
        async with db.sessions() as session:
            if db.is_postgres:
                # An empty table makes any plan cheap: forbid the alternatives, so a plan
                # without a Sort proves the index alone delivers the order and the limit.
                for switch in ("seqscan", "bitmapscan", "sort"):
                    await session.execute(text(f"SET enable_{switch} = off"))
                plan = "\n".join(r[0] for r in await session.execute(text(f"EXPLAIN {sql}")))
                assert (
                    "ix_prescriptions_uploaded_at_id" in plan
                    or "idx_prescriptions_uploaded_at" in plan
                )
                assert "Sort" not in plan, plan
            else:
                plan = " ".join(
                    str(r[-1]) for r in await session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
                )
                assert "USE TEMP B-TREE" not in plan, plan
                assert (
                    "ix_prescriptions_uploaded_at_id" in plan
                    or "idx_prescriptions_uploaded_at" in plan
                ), plan


async def test_get_has_the_earlier_shape_and_is_audited(
    app: FastAPI, admin_client: httpx.AsyncClient, start_worker: StartWorker
) -> None:
    await start_worker()
    [rx_id] = await processed(app, admin_client)
    response = await admin_client.get(f"/api/prescriptions/{rx_id}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"prescription", "extractionResults"}
    assert body["prescription"]["processingStatus"] == "completed"
    data = body["prescription"]["extractedData"]
    assert data["patientDetails"]["patientName"] == "Ravi Kumar"
    results = body["extractionResults"]
    assert {r["modelName"] for r in results} == {"alpha", "beta"}
    first = results[0]
    for key in ("id", "prescriptionId", "modelName", "fieldName", "extractedValue",
                "confidence", "processingTime", "createdAt", "engineVersion",
                "normalizedValue", "page", "bbox"):  # fmt: skip
        assert key in first
    async with app_db(app).sessions() as session:
        actions = list(
            await session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == rx_id))
        )
    assert "prescription.read" in actions


async def test_detail_has_runs_consensus_and_decisions(
    app: FastAPI, admin_client: httpx.AsyncClient, start_worker: StartWorker
) -> None:
    await start_worker()
    [rx_id] = await processed(app, admin_client)
    body = (await admin_client.get(f"/api/prescriptions/{rx_id}/detail")).json()
    [run] = body["runs"]
    assert run["status"] == "completed"
    assert {e["engineName"]: e["status"] for e in run["engineRuns"]} == {
        "alpha": "succeeded",
        "beta": "succeeded",
    }
    assert {"attempts", "durationMs", "inputTokens", "costUsd", "error"} <= set(
        run["engineRuns"][0]
    )
    strength = next(c for c in body["consensus"] if c["fieldName"] == "medications.0.strength")
    assert strength["status"] == "conflict"
    assert strength["needsReview"] is True
    assert set(strength["engineValues"]) == {"alpha", "beta"}
    assert body["decisions"] == []


async def test_unknown_prescription_is_a_clear_404(admin_client: httpx.AsyncClient) -> None:
    for path in ("", "/detail", "/image", "/pages/1/image", "/review-history"):
        response = await admin_client.get(f"/api/prescriptions/nope{path}")
        assert response.status_code == 404, path
        assert response.json() == {
            "error": "not_found",
            "detail": "There is no prescription with id 'nope'.",
        }


async def test_dates_are_utc(admin_client: httpx.AsyncClient) -> None:
    rx_id = await upload_one(admin_client)
    row = (await admin_client.get(f"/api/prescriptions/{rx_id}")).json()["prescription"]
    uploaded = datetime.fromisoformat(row["uploadedAt"])
    assert uploaded.utcoffset() == timedelta(0)
