"""Events are recorded in the caller's transaction and delivered only after commit."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.events.bus import LocalEventBus
from scriptsensei.events.publish import events_since, publish
from scriptsensei.events.types import EVENTS_CHANNEL, EventType


async def _listen(db: Database) -> tuple[asyncpg.Connection, asyncio.Queue[str]]:
    url = db.url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(url)
    received: asyncio.Queue[str] = asyncio.Queue()
    await conn.add_listener(EVENTS_CHANNEL, lambda *args: received.put_nowait(args[3]))
    return conn, received


async def test_event_recorded_and_numbered(db: Database) -> None:
    async with unit_of_work(db) as session:
        first = await publish(session, EventType.PRESCRIPTION_CREATED, "rx-1", status="queued")
        second = await publish(session, EventType.PRESCRIPTION_UPDATED, "rx-1", status="processing")
    assert second.seq > first.seq
    async with unit_of_work(db) as session:
        missed = await events_since(session, first.seq)
    assert [e.type for e in missed] == ["prescription_updated"]


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_local_delivery_only_after_commit(db: Database) -> None:
    bus = LocalEventBus()
    db.event_bus = bus
    async with bus.subscribe() as subscription:
        async with unit_of_work(db) as session:
            await publish(session, EventType.PRESCRIPTION_CREATED, "rx-2", status="queued")
            assert subscription.queue.empty()
        message = subscription.queue.get_nowait()
        assert message["type"] == "prescription_created"
        assert message["prescriptionId"] == "rx-2"
        assert message["status"] == "queued"
        with pytest.raises(RuntimeError):
            async with unit_of_work(db) as session:
                await publish(session, EventType.PRESCRIPTION_DELETED, "rx-2")
                raise RuntimeError("rolled back")
        assert subscription.queue.empty()


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"])
async def test_postgres_notify_only_on_commit(db: Database) -> None:
    conn, received = await _listen(db)
    try:
        with pytest.raises(RuntimeError):
            async with unit_of_work(db) as session:
                await publish(session, EventType.PRESCRIPTION_DELETED, "rx-3")
                raise RuntimeError("rolled back")
        async with unit_of_work(db) as session:
            record = await publish(session, EventType.PRESCRIPTION_CREATED, "rx-3")
        assert await asyncio.wait_for(received.get(), 5) == str(record.seq)
        assert received.empty()
    finally:
        await conn.close()


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"])
async def test_sequence_numbers_follow_commit_order(db: Database) -> None:
    """A transaction that published first but commits last gets the later number, so a
    client that has seen N has seen every event committed before N."""
    async with unit_of_work(db) as early:
        first = await publish(early, EventType.PRESCRIPTION_CREATED, "rx-early")
        async with unit_of_work(db) as late:
            second = await publish(late, EventType.PRESCRIPTION_CREATED, "rx-late")
        assert first.seq is None  # numbered only when its transaction commits
    assert second.seq < first.seq
    async with unit_of_work(db) as session:
        in_order = await events_since(session, 0)
    assert [e.prescription_id for e in in_order][-2:] == ["rx-late", "rx-early"]


async def test_events_of_a_rolled_back_part_are_not_written_by_a_later_commit(
    db: Database,
) -> None:
    async with db.sessions() as session:
        await publish(session, EventType.PRESCRIPTION_DELETED, "rx-gone")
        await session.rollback()
        await publish(session, EventType.PRESCRIPTION_CREATED, "rx-kept")
        await session.commit()
    async with unit_of_work(db) as session:
        written = await events_since(session, 0)
    assert [e.prescription_id for e in written] == ["rx-kept"]
