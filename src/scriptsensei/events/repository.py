"""Queries on the events table other than publishing (see `publish.events_since`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.events.publish import event_message, events_since
from scriptsensei.models import EventRecord


async def latest_seq(session: AsyncSession) -> int:
    """The newest event's sequence number, 0 for an empty table."""
    value = await session.scalar(select(func.max(EventRecord.seq)))
    return int(value or 0)


async def delete_events_before(session: AsyncSession, cutoff: datetime) -> int:
    """Remove events created before `cutoff`; returns how many went."""
    result = await session.execute(delete(EventRecord).where(EventRecord.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


async def missed_messages(db: Database, since: int, limit: int) -> list[dict[str, Any]]:
    """What a reconnecting client missed after `since`, oldest first, as sent live."""
    async with unit_of_work(db) as session:
        records = await events_since(session, since, limit)
    return [event_message(record) for record in records]
