"""`/metrics` exposes the documented series after some traffic, and is not open to all."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import BackupRun, EngineRun, Prescription, ProcessingRun
from scriptsensei.models.types import utcnow


async def _some_data(app: FastAPI) -> None:
    async with unit_of_work(app.state.runtime.db) as session:
        rx = Prescription(
            file_name="a.png", file_size="1", processing_status="completed", review_status="pending"
        )
        session.add(rx)
        await session.flush()
        run = ProcessingRun(
            prescription_id=rx.id,
            status="completed",
            selected_engines=["tesseract"],
            selected_fields=[],
            agreement_threshold=0.6,
            confidence_threshold=0.6,
            engines_total=2,
            engines_done=1,
            engines_failed=1,
        )
        session.add(run)
        await session.flush()
        session.add(
            EngineRun(
                processing_run_id=run.id,
                prescription_id=rx.id,
                engine_name="tesseract",
                status="succeeded",
                duration_ms=1500.0,
            )
        )
        session.add(
            EngineRun(
                processing_run_id=run.id,
                prescription_id=rx.id,
                engine_name="openai",
                status="failed",
                input_tokens=100,
                output_tokens=20,
                cost_usd=0.01,
            )
        )
        session.add(
            EngineRun(
                processing_run_id=run.id,
                prescription_id=rx.id,
                engine_name="claude",
                status="queued",
            )
        )
        session.add(
            BackupRun(trigger="manual", status="succeeded", path="/x.tar", finished_at=utcnow())
        )


def _value(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " ") or (
            line.startswith(series + "{") and line.split(" ")[0] == series
        ):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{series} not in metrics")


async def test_metrics_after_traffic(app: FastAPI, client: httpx.AsyncClient) -> None:
    await _some_data(app)
    for _ in range(3):
        assert (await client.get("/api/health")).status_code == 200
    response = await client.get("/metrics", headers={"host": "localhost"})
    assert response.status_code == 200, response.text
    text = response.text
    assert (
        'scriptsensei_http_requests_total{method="GET",route="/api/health",status="200"} 3.0'
        in text
    )
    assert (
        'scriptsensei_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/health"}'
        in text
    )
    assert _value(text, 'scriptsensei_prescriptions{status="completed"}') == 1
    assert _value(text, 'scriptsensei_queue_depth{status="queued"}') == 1
    assert _value(text, 'scriptsensei_engine_runs{engine="openai",status="failed"}') == 1
    assert _value(text, 'scriptsensei_engine_run_seconds_sum{engine="tesseract"}') == 1.5
    assert _value(text, 'scriptsensei_engine_tokens{direction="input",engine="openai"}') == 100
    assert _value(text, 'scriptsensei_engine_cost_usd{engine="openai"}') == 0.01
    assert _value(text, "scriptsensei_review_backlog") == 1
    assert 0 <= _value(text, "scriptsensei_last_backup_age_seconds") < 60
    assert "scriptsensei_websocket_clients" in text
    assert "scriptsensei_db_pool_connections_in_use" in text


async def test_metrics_refused_to_remote_clients_without_token(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as remote:
        response = await remote.get("/metrics")
    assert response.status_code == 403
    assert "SCRIPTSENSEI_METRICS_TOKEN" in response.json()["detail"]


async def test_metrics_token(app: FastAPI) -> None:
    app.state.runtime.settings.metrics_token = "s3cret-token"
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as remote:
        assert (await remote.get("/metrics")).status_code == 401
        assert (
            await remote.get("/metrics", headers={"Authorization": "Bearer wrong"})
        ).status_code == 403
        ok = await remote.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200
    assert "scriptsensei_queue_depth" in ok.text
