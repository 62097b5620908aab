"""The events component on both backends: bus, newest seq, retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from scriptsensei.app import start_runtime
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.events.bus import LocalEventBus
from scriptsensei.events.component import events_component, lifespan
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.models import EventRecord
from tests.events.live import wait_until


async def _runtime(settings: Settings) -> Runtime:
    return await start_runtime(settings)


async def test_component_installs_the_bus(settings: Settings) -> None:
    runtime = await _runtime(settings)
    try:
        async with unit_of_work(runtime.db) as session:
            before = await publish(session, EventType.PRESCRIPTION_CREATED, "rx-1")
        async with lifespan(runtime):
            component = events_component(runtime)
            assert runtime.db.event_bus is component.bus
            assert isinstance(component.bus, LocalEventBus)
            assert component.bus.latest_seq == before.seq
            assert (component.listener is not None) == runtime.db.is_postgres
            async with component.bus.subscribe() as subscription:
                async with unit_of_work(runtime.db) as session:
                    after = await publish(session, EventType.PRESCRIPTION_FAILED, "rx-1")
                message = await subscription.get()
            assert message["seq"] == after.seq
            assert message["type"] == "prescription_failed"
        assert runtime.db.event_bus is None
        assert "events" not in runtime.components
    finally:
        await runtime.db.dispose()


async def _old_event(runtime: Runtime, days: int) -> int:
    async with unit_of_work(runtime.db) as session:
        record = EventRecord(
            type="prescription_updated",
            prescription_id="rx-old",
            payload={},
            created_at=datetime.now(UTC) - timedelta(days=days),
        )
        session.add(record)
        await session.flush()
        return int(record.seq)


async def _remaining(runtime: Runtime) -> list[str | None]:
    async with unit_of_work(runtime.db) as session:
        rows = await session.execute(select(EventRecord.prescription_id).order_by(EventRecord.seq))
        return list(rows.scalars())


async def test_old_events_are_pruned_when_events_are_written(settings: Settings) -> None:
    runtime = await _runtime(settings.model_copy(update={"event_retention_days": 7}))
    try:
        await _old_event(runtime, days=30)
        await _old_event(runtime, days=2)
        async with lifespan(runtime):
            component = events_component(runtime)
            retention = component.retention
            assert retention.prunes_started == 0  # nothing happens while idle
            async with unit_of_work(runtime.db) as session:
                await publish(session, EventType.PRESCRIPTION_CREATED, "rx-new")
            await wait_until(lambda: retention.prunes_started == 1, 10)
            await wait_until(lambda: not retention.pruning, 10)
            assert await _remaining(runtime) == ["rx-old", "rx-new"]
            # Within the hour, further events start no second prune.
            async with unit_of_work(runtime.db) as session:
                await publish(session, EventType.PRESCRIPTION_UPDATED, "rx-new")
            await wait_until(lambda: component.bus.delivered == 2, 10)
            assert retention.prunes_started == 1
    finally:
        await runtime.db.dispose()
