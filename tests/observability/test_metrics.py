"""`/metrics` exposes the documented series, they move with real traffic (an upload
processed by a worker, a WebSocket client receiving its event), and it is not open to all."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from scriptsensei.auth.permissions import Role
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.extraction.registry import EngineRegistry
from scriptsensei.jobs.worker import Worker
from scriptsensei.models import BackupRun, EngineRun, Prescription, ProcessingRun
from scriptsensei.models.types import utcnow
from tests.api.helpers import files, png
from tests.conftest import make_settings
from tests.events.live import LiveServer, client, live_server, new_api_key, receive, receive_events
from tests.jobs.factories import wait_until_settled
from tests.jobs.fake_engines import FakeEngine

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
UPLOAD = {"method": "POST", "route": "/api/prescriptions/upload", "status": "201"}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url, tmp_path / "data", local_engines=["alpha"], shutdown_grace_seconds=2.0
    )


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
    assert _value(text, 'scriptsensei_engine_run_seconds_count{engine="tesseract"}') == 1
    assert _value(text, 'scriptsensei_engine_run_seconds_bucket{engine="tesseract",le="1.0"}') == 0
    assert _value(text, 'scriptsensei_engine_run_seconds_bucket{engine="tesseract",le="2.5"}') == 1
    assert _value(text, 'scriptsensei_engine_tokens{direction="input",engine="openai"}') == 100
    assert _value(text, 'scriptsensei_engine_cost_usd{engine="openai"}') == 0.01
    assert _value(text, "scriptsensei_review_backlog") == 1
    assert 0 <= _value(text, "scriptsensei_last_backup_age_seconds") < 60
    assert "scriptsensei_websocket_clients" in text
    assert "scriptsensei_websocket_messages_sent_total 0.0" in text
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


def _samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _get(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def _scrape(http: httpx.AsyncClient) -> Samples:
    response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    return _samples(response.text)


async def _upload_seen_live(server: LiveServer, http: httpx.AsyncClient, key: str) -> Samples:
    """Upload one file while a WebSocket client listens; the scrape taken while it is
    connected."""
    async with client(server.url, key) as ws:
        assert (await receive(ws))["type"] == "connected"
        response = await http.post("/api/prescriptions/upload", files=files(("rx.png", png(7))))
        assert response.status_code == 201, response.text
        created = await receive_events(ws, 1)
        assert created[0]["type"] == "prescription_created"
        return await _scrape(http)


async def test_series_move_with_real_traffic(settings: Settings) -> None:
    async with live_server(settings) as server:
        runtime = server.runtime
        runtime.components["engines"] = registry = EngineRegistry([FakeEngine("alpha")])
        key = await new_api_key(runtime.db, Role.OPERATOR)
        worker = Worker(runtime.db, settings, registry)
        await worker.start()
        base_url = server.url.replace("ws://", "http://").removesuffix("/ws")
        try:
            async with httpx.AsyncClient(base_url=base_url, headers={"X-API-Key": key}) as http:
                before = await _scrape(http)
                during = await _upload_seen_live(server, http, key)
                await wait_until_settled(runtime.db)
                after = await _scrape(http)
        finally:
            await worker.stop(grace=1.0)

    requests = "scriptsensei_http_requests_total"
    assert _get(before, requests, **UPLOAD) == 0
    assert _get(after, requests, **UPLOAD) == 1
    sent = "scriptsensei_websocket_messages_sent_total"
    assert _get(during, sent) - _get(before, sent) >= 2  # "connected", then the event
    assert _get(during, "scriptsensei_websocket_clients") == 1

    engine = {"engine": "alpha"}
    assert _get(before, "scriptsensei_engine_run_seconds_count", **engine) == 0
    assert _get(after, "scriptsensei_engine_run_seconds_count", **engine) == 1
    assert _get(after, "scriptsensei_engine_run_seconds_bucket", le="0.1", **engine) == 1
    assert _get(after, "scriptsensei_engine_run_seconds_sum", **engine) == pytest.approx(0.001)
    assert _get(after, "scriptsensei_engine_runs", status="succeeded", **engine) == 1
    assert _get(after, "scriptsensei_queue_depth", status="queued") == 0
