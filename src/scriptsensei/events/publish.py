"""Publishing an event from inside a transaction.

`publish` only queues the event on the session; its row is written just before the
transaction commits, so it exists exactly when the business change does. Writing it at that
moment, on PostgreSQL under a transaction-level advisory lock held until the commit, makes
sequence numbers follow commit order: a transaction that took a number early can no longer
commit after a later one has been delivered, so "everything after N" (`since`) never skips
an event. A `pg_notify` in the same transaction carries the sequence number to every
listening process at commit (never on rollback); on SQLite, where one writer at a time
already orders commits, the in-process bus is told after commit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, event, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from scriptsensei.core.transaction import on_commit
from scriptsensei.events.types import EVENTS_CHANNEL, EventType
from scriptsensei.models import EventRecord
from scriptsensei.models.types import UTCDateTime

_PENDING = "pending_events"
# Held from writing a transaction's events to its commit: one event writer at a time.
EVENTS_ORDER_LOCK_KEY = 0x5C417053_E7E1


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
    """Queue an event for the session's transaction. The returned record has its sequence
    number once the transaction has committed."""
    record = EventRecord(type=str(event_type), prescription_id=prescription_id, payload=payload)
    if not session.in_transaction():
        await session.begin()  # so that a rollback, even of nothing else, drops the event
    session.info.setdefault(_PENDING, []).append(record)
    return record


@event.listens_for(Session, "before_commit")
def _write_pending_events(session: Session) -> None:
    records: list[EventRecord] = session.info.pop(_PENDING, [])
    if not records:
        return
    db = session.info["database"]
    if not db.is_postgres:
        for record in records:  # one at a time: numbers in the order they were published
            session.add(record)
            session.flush()
        messages = [event_message(record) for record in records]
        on_commit(session, lambda: _deliver_locally(db, messages))
        return
    session.execute(_ORDER_LOCK, {"key": EVENTS_ORDER_LOCK_KEY})
    for record in records:  # one at a time: numbers in the order they were published
        _insert_and_notify(session, record)


def _insert_and_notify(session: Session, record: EventRecord) -> None:
    """The event's row and its notification in one statement (a round trip saved per
    event: the queue writes several per prescription)."""
    record.created_at = datetime.now(UTC)
    params = {
        "type": record.type,
        "prescription_id": record.prescription_id,
        "payload": record.payload,
        "created_at": record.created_at,
        "channel": EVENTS_CHANNEL,
    }
    record.seq = session.execute(_INSERT_AND_NOTIFY, params).scalar_one()


# Built once: a text statement made in advance costs far less per event than an ORM one.
_ORDER_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_INSERT_AND_NOTIFY = text(
    "WITH inserted AS ("
    " INSERT INTO events (type, prescription_id, payload, created_at)"
    " VALUES (:type, :prescription_id, :payload, :created_at) RETURNING seq)"
    " SELECT seq, pg_notify(:channel, CAST(seq AS text)) FROM inserted"
).bindparams(bindparam("payload", type_=JSONB()), bindparam("created_at", type_=UTCDateTime()))


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending_events(session: Session, _previous: Any) -> None:
    # Events of a rolled-back transaction are never written, not even by a later commit
    # of the same session.
    session.info.pop(_PENDING, None)


def _deliver_locally(db: Any, messages: list[dict[str, Any]]) -> None:
    bus = db.event_bus
    if bus is not None:
        for message in messages:
            bus.deliver(message)


async def events_since(session: AsyncSession, seq: int, limit: int = 500) -> list[EventRecord]:
    """Events after `seq`, oldest first: what a reconnecting client missed."""
    rows = await session.execute(
        select(EventRecord).where(EventRecord.seq > seq).order_by(EventRecord.seq).limit(limit)
    )
    return list(rows.scalars())
