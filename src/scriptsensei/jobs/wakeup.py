"""Waking workers when work is enqueued: sent on commit, never before."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.db import database_of
from scriptsensei.core.transaction import on_commit
from scriptsensei.events.types import JOBS_CHANNEL


async def wake_workers(session: AsyncSession) -> None:
    db = database_of(session)
    if db.is_postgres:
        # Delivered by PostgreSQL at commit, to every listening worker on every host.
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": JOBS_CHANNEL})
    else:
        on_commit(session, db.work_available.set)
