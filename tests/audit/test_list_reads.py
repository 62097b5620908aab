"""Lists that carry prescriptions' data are audited: one entry per request (not per row),
with the caller, the filters and the number of rows, written in the request's own
transaction. Covers `GET /api/prescriptions`, `GET /api/extraction-results` and /history,
by API key and by signed-in session."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from scriptsensei.audit.service import LIST_READ
from scriptsensei.auth.permissions import Role
from scriptsensei.models import AuditEntry
from tests.api.helpers import app_db, create_prescriptions, create_results
from tests.support.auth_clients import api_key_for, key_client, session_client


async def _list_entries(app: FastAPI) -> list[AuditEntry]:
    async with app_db(app).sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == LIST_READ).order_by(AuditEntry.id)
        return list(await session.scalars(query))


async def _one_new_entry(app: FastAPI, before: int) -> AuditEntry:
    entries = await _list_entries(app)
    assert len(entries) == before + 1, [e.detail for e in entries]
    return entries[-1]


async def _get(client: httpx.AsyncClient, url: str) -> Any:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return response


async def test_a_list_read_by_key_is_one_entry_with_actor_filters_and_count(
    app: FastAPI,
) -> None:
    await create_prescriptions(app, 3)
    await create_prescriptions(app, 2, processing_status="failed")
    async with key_client(app, await api_key_for(app, Role.VIEWER, "lab-robot")) as robot:
        page = await _get(robot, "/api/prescriptions?status=queued&limit=2")
        entry = await _one_new_entry(app, 0)
        assert (entry.actor_type, entry.actor_name) == ("api_key", "lab-robot")
        assert entry.target_type == "prescription" and entry.target_id is None
        assert entry.request_id == page.headers["x-request-id"]
        assert entry.detail == {
            "view": "list",
            "filters": {"statuses": ["queued"]},
            "rows": 2,
            "includeData": True,
            "cursor": None,
        }
        cursor = page.headers["X-Next-Cursor"]
        await _get(robot, f"/api/prescriptions?status=queued&limit=2&cursor={cursor}")
        second = await _one_new_entry(app, 1)
        assert second.detail is not None
        assert (second.detail["rows"], second.detail["cursor"]) == (1, cursor)


async def test_a_results_read_by_session_is_one_entry(app: FastAPI) -> None:
    [rx_id] = await create_prescriptions(app, 1, patient_name="Ravi Kumar")
    await create_results(app, rx_id, ["alpha", "beta"], ["a", "b", "c"])
    browser = await session_client(app, Role.REVIEWER, "rita")
    try:
        me = (await _get(browser, "/api/auth/me")).json()
        rows = (await _get(browser, "/api/extraction-results?engine=alpha&q=ravi")).json()
    finally:
        await browser.aclose()
    assert len(rows) == 3
    entry = await _one_new_entry(app, 0)
    assert (entry.actor_type, entry.actor_id, entry.actor_name) == ("user", me["id"], "rita")
    assert entry.detail == {
        "view": "extraction-results",
        "filters": {"engine": "alpha", "search": "ravi"},
        "rows": 3,
        "cursor": None,
    }


async def test_the_history_page_is_one_entry(app: FastAPI) -> None:
    await create_prescriptions(app, 4, uploaded_by="someone")
    browser = await session_client(app, Role.VIEWER, "vera")
    try:
        await _get(browser, "/history?needsReview=false")
    finally:
        await browser.aclose()
    entry = await _one_new_entry(app, 0)
    assert (entry.actor_type, entry.actor_name) == ("user", "vera")
    assert entry.detail == {
        "view": "history-page",
        "filters": {"needs_review": False},
        "rows": 4,
        "cursor": None,
    }


async def test_a_refused_list_leaves_no_entry(app: FastAPI) -> None:
    async with key_client(app, await api_key_for(app, Role.VIEWER)) as client:
        assert (await client.get("/api/prescriptions?status=archived")).status_code == 400
        assert (await client.get("/api/extraction-results?from=soon")).status_code == 400
    async with key_client(app, None) as anonymous:
        assert (await anonymous.get("/api/prescriptions")).status_code == 401
    assert await _list_entries(app) == []
