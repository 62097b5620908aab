"""`GET /api/health`: 200 with a reachable database, 503 when it points nowhere."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from scriptsensei.app import create_app
from scriptsensei.core.migrate import head_revision
from tests.conftest import make_settings
from tests.support.tcp_proxy import TcpProxy


async def test_healthy_with_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["reachable"] is True
    assert body["database"]["revision"] == head_revision()
    assert body["database"]["current"] is True
    assert body["uptimeSeconds"] >= 0
    assert body["version"]


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"])
async def test_unavailable_when_database_points_nowhere(database_url: str, tmp_path: Path) -> None:
    """The app started against a database that then stops answering (its address now
    points nowhere): health says so with 503, fast."""
    proxy = TcpProxy(target_port=5432)
    proxy.start()
    url = database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    settings = make_settings(url, tmp_path, db_connect_timeout=1, db_pool_timeout=1)
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                assert (await client.get("/api/health")).status_code == 200
                proxy.stop(drop_connections=True)
                started = time.monotonic()
                response = await client.get("/api/health")
                assert time.monotonic() - started < 10
                proxy.start()
    finally:
        proxy.shutdown()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["reachable"] is False


async def test_unknown_route_gets_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert set(response.json()) == {"error", "detail"}


async def test_reports_queue_workers_and_last_backup(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    from scriptsensei.core.transaction import unit_of_work
    from scriptsensei.models import BackupRun, EngineRun, Prescription, ProcessingRun
    from scriptsensei.models.types import utcnow

    async with unit_of_work(app.state.runtime.db) as session:
        rx = Prescription(file_name="a.png", file_size="1")
        session.add(rx)
        await session.flush()
        run = ProcessingRun(
            prescription_id=rx.id,
            selected_engines=["a", "b"],
            selected_fields=[],
            agreement_threshold=0.5,
            confidence_threshold=0.5,
            engines_total=2,
            engines_done=0,
            engines_failed=0,
        )
        session.add(run)
        await session.flush()
        session.add(
            EngineRun(
                processing_run_id=run.id, prescription_id=rx.id, engine_name="a", status="queued"
            )
        )
        session.add(
            EngineRun(
                processing_run_id=run.id,
                prescription_id=rx.id,
                engine_name="b",
                status="running",
                lease_owner="host-1:42",
                heartbeat_at=utcnow(),
            )
        )
        session.add(
            BackupRun(trigger="scheduled", status="failed", error="disk full", finished_at=utcnow())
        )
    body = (await client.get("/api/health")).json()
    assert body["queue"] == {"queued": 1, "running": 1}
    assert body["workers"]["recentlyActive"] == ["host-1:42"]
    assert body["lastBackup"]["status"] == "failed"
    assert body["lastBackup"]["error"] == "disk full"
