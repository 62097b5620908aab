"""The events component: the process's bus, fed in-process (SQLite) or by LISTEN/NOTIFY
(PostgreSQL), with retention hooked onto it. Started by the app around the Runtime."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import structlog

from scriptsensei.core.runtime import Runtime
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.events.bus import LocalEventBus
from scriptsensei.events.listener import PostgresEventListener
from scriptsensei.events.repository import latest_seq
from scriptsensei.events.retention import EventRetention
from scriptsensei.events.stream import MessageEncoder

log = structlog.get_logger(__name__)

COMPONENT_NAME = "events"
# Missed-event queries run at most this many at a time per process, so that every browser
# reconnecting at once after a restart queues briefly instead of draining the pool.
REPLAY_CONCURRENCY = 4


@dataclass
class EventsComponent:
    bus: LocalEventBus
    retention: EventRetention
    listener: PostgresEventListener | None = None
    encoder: MessageEncoder = field(default_factory=MessageEncoder)
    replay_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(REPLAY_CONCURRENCY)
    )


async def _local_bus(runtime: Runtime) -> LocalEventBus:
    async with unit_of_work(runtime.db) as session:
        return LocalEventBus(latest_seq=await latest_seq(session))


@asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    db = runtime.db
    listener: PostgresEventListener | None = None
    if db.is_postgres:
        bus = LocalEventBus()
        listener = PostgresEventListener(db.url, bus)
        await listener.start()
    else:
        bus = await _local_bus(runtime)
    retention = EventRetention(db, runtime.settings.event_retention_days)
    bus.add_hook(retention.on_event)
    db.event_bus = bus
    runtime.components[COMPONENT_NAME] = EventsComponent(bus, retention, listener)
    log.info("WebSocket server ready", path="/ws", delivery="listen" if listener else "local")
    try:
        yield
    finally:
        db.event_bus = None
        runtime.components.pop(COMPONENT_NAME, None)
        if listener is not None:
            await listener.stop()
        await retention.stop()


def events_component(runtime: Runtime) -> EventsComponent:
    component: EventsComponent = runtime.components[COMPONENT_NAME]
    return component
