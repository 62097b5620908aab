"""LISTEN/NOTIFY delivery on PostgreSQL: other processes, bursts, late commits, idle,
re-connection after the listener's backend is terminated, several web instances."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.events import listener as listener_module
from scriptsensei.events.bus import LocalEventBus, Subscription
from scriptsensei.events.component import events_component
from scriptsensei.events.listener import PostgresEventListener, asyncpg_dsn
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from tests.events.live import (
    client,
    lifecycle,
    live_server,
    new_api_key,
    publish_all,
    publish_together,
    receive,
    receive_events,
    wait_until,
)
from tests.support import databases

on_postgres = pytest.mark.parametrize(
    "db_backend", [pytest.param("postgres", marks=pytest.mark.postgres)]
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def listening(db: Database) -> AsyncIterator[tuple[PostgresEventListener, Subscription]]:
    bus = LocalEventBus()
    listener = PostgresEventListener(db.url, bus)
    await listener.start()
    try:
        async with bus.subscribe(maxsize=5000) as subscription:
            yield listener, subscription
    finally:
        await listener.stop()


async def _take(subscription: Subscription, count: int) -> list[dict[str, object]]:
    return [await asyncio.wait_for(subscription.get(), 10) for _ in range(count)]


def _publish_from_another_process(url: str, prescription_id: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "tests.events.publisher", url, prescription_id],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
        timeout=60,
    )


@on_postgres
async def test_a_burst_costs_one_query(
    db: Database, listening: tuple[PostgresEventListener, Subscription]
) -> None:
    listener, subscription = listening
    burst = [(EventType.ENGINE_PROGRESS, f"rx-{i}", {"engine": "tesseract"}) for i in range(50)]
    await publish_together(db, burst)
    received = await _take(subscription, 50)
    assert [m["prescriptionId"] for m in received] == [f"rx-{i}" for i in range(50)]
    assert listener.queries == 1


@on_postgres
async def test_idle_listener_runs_no_query(
    listening: tuple[PostgresEventListener, Subscription],
) -> None:
    listener, _ = listening
    await asyncio.sleep(1.5)
    assert listener.queries == 0


@on_postgres
async def test_a_late_commit_is_not_skipped(
    db: Database, listening: tuple[PostgresEventListener, Subscription]
) -> None:
    _, subscription = listening
    async with unit_of_work(db) as early:
        first = await publish(early, EventType.PRESCRIPTION_CREATED, "rx-early")
        # A later transaction takes the next number and commits first.
        async with unit_of_work(db) as late:
            second = await publish(late, EventType.PRESCRIPTION_CREATED, "rx-late")
        assert [m["seq"] for m in await _take(subscription, 1)] == [second.seq]
    assert [m["seq"] for m in await _take(subscription, 1)] == [first.seq]
    await publish_all(db, [(EventType.PRESCRIPTION_UPDATED, "rx-next", {})])
    assert [m["prescriptionId"] for m in await _take(subscription, 1)] == ["rx-next"]


@on_postgres
async def test_events_from_another_process_reach_the_bus(
    db: Database, listening: tuple[PostgresEventListener, Subscription]
) -> None:
    _, subscription = listening
    await asyncio.to_thread(_publish_from_another_process, db.url, "rx-worker")
    received = await _take(subscription, 3)
    assert [m["status"] for m in received] == ["queued", "processing", "completed"]


@on_postgres
async def test_reconnects_and_catches_up_after_backend_terminated(
    db: Database,
    listening: tuple[PostgresEventListener, Subscription],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listener, subscription = listening
    # A wide gap, so that the events below are surely committed while nobody listens.
    monkeypatch.setattr(listener_module, "BACKOFF_FIRST_SECONDS", 1.5)
    pid = listener.backend_pid
    assert pid is not None
    await _terminate(pid)
    await wait_until(lambda: not listener.ready.is_set(), 10)
    await publish_all(db, lifecycle("rx-gap"))
    received = await _take(subscription, 3)
    assert [m["status"] for m in received] == ["queued", "processing", "completed"]
    assert listener.connects == 2
    assert listener.backend_pid not in (None, pid)
    await publish_all(db, [(EventType.PRESCRIPTION_UPDATED, "rx-after", {})])
    assert [m["prescriptionId"] for m in await _take(subscription, 1)] == ["rx-after"]


async def _terminate(pid: int) -> None:
    conn = await asyncpg.connect(databases.PG_ADMIN_DSN)
    try:
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()


@on_postgres
async def test_websocket_client_gets_events_published_by_another_process(
    settings: Settings,
) -> None:
    # Two web instances on one database, and a worker-like process publishing.
    async with live_server(settings) as first, live_server(settings) as second:
        key = await new_api_key(first.runtime.db)
        async with client(first.url, key) as one, client(second.url, key) as two:
            await receive(one)
            await receive(two)
            await asyncio.to_thread(_publish_from_another_process, settings.database_url, "rx-x")
            for ws in (one, two):
                events = await receive_events(ws, 3)
                assert [e["type"] for e in events] == [
                    "prescription_created",
                    "prescription_processing",
                    "prescription_completed",
                ]
                assert {e["prescriptionId"] for e in events} == {"rx-x"}


@on_postgres
async def test_websocket_survives_listener_reconnect(settings: Settings) -> None:
    async with live_server(settings) as server:
        key = await new_api_key(server.runtime.db)
        listener = events_component(server.runtime).listener
        assert listener is not None and listener.backend_pid is not None
        async with client(server.url, key) as ws:
            await receive(ws)
            await _terminate(listener.backend_pid)
            await wait_until(lambda: not listener.ready.is_set(), 10)
            await publish_all(server.runtime.db, lifecycle("rx-r"))
            events = await receive_events(ws, 3)
        assert [e["status"] for e in events] == ["queued", "processing", "completed"]


def test_dsn_keeps_credentials_and_drops_the_driver() -> None:
    url = "postgresql+asyncpg://user:p%40ss@db.example:6543/scripts"
    assert asyncpg_dsn(url) == "postgresql://user:p%40ss@db.example:6543/scripts"


@on_postgres
async def test_an_unexpected_error_restarts_the_listener(
    db: Database, listening: tuple[PostgresEventListener, Subscription]
) -> None:
    listener, subscription = listening
    failures: list[int] = []

    def failing_once(message: dict[str, object]) -> None:
        if not failures:
            failures.append(1)
            raise ValueError("a broken consumer")

    listener.bus.add_hook(failing_once)
    await publish_all(db, [(EventType.PRESCRIPTION_UPDATED, "rx-1", {})])
    assert [m["prescriptionId"] for m in await _take(subscription, 1)] == ["rx-1"]
    await wait_until(lambda: listener.connects == 2 and listener.ready.is_set(), 10)
    await publish_all(db, [(EventType.PRESCRIPTION_UPDATED, "rx-2", {})])
    assert [m["prescriptionId"] for m in await _take(subscription, 1)] == ["rx-2"]
