"""Publishing an event from inside a transaction.

The event row is written in the caller's transaction, so it exists exactly when the
business change commits. On PostgreSQL a `pg_notify` in the same transaction carries its
sequence number to every listening process at commit (and never on rollback); on SQLite
the in-process bus is told after commit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.db import database_of
from scriptsensei.core.transaction import on_commit
from scriptsensei.events.types import EVENTS_CHANNEL, EventType
from scriptsensei.models import EventRecord


def event_message(record: EventRecord) -> dict[str, Any]:
    """The JSON a browser receives: the earlier app's keys plus a sequence number."""
    created = record.created_at or datetime.now(UTC)
    return {
        **record.payload,
        "type": record.type,
        "prescriptionId": record.prescription_id,
        "seq": record.seq,
        "timestamp": created.isoformat().replace("+00:00", "Z"),
    }


async def publish(
    session: AsyncSession,
    event_type: EventType,
    prescription_id: str | None,
    **payload: Any,
) -> EventRecord:
    record = EventRecord(type=str(event_type), prescription_id=prescription_id, payload=payload)
    session.add(record)
    await session.flush()  # assigns the sequence number
    db = database_of(session)
    if db.is_postgres:
        await session.execute(
            text("SELECT pg_notify(:channel, :seq)"),
            {"channel": EVENTS_CHANNEL, "seq": str(record.seq)},
        )
    else:
        message = event_message(record)
        on_commit(session, lambda: _deliver_locally(session, message))
    return record


def _deliver_locally(session: AsyncSession, message: dict[str, Any]) -> None:
    bus = database_of(session).event_bus
    if bus is not None:
        bus.deliver(message)


async def events_since(session: AsyncSession, seq: int, limit: int = 500) -> list[EventRecord]:
    """Events after `seq`, oldest first: what a reconnecting client missed."""
    rows = await session.execute(
        select(EventRecord).where(EventRecord.seq > seq).order_by(EventRecord.seq).limit(limit)
    )
    return list(rows.scalars())
