"""The edge owns the transaction: it commits or rolls back, then runs what must happen only
after a commit (events, worker wake-ups). Services only `flush()` and register callbacks."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from scriptsensei.core.db import Database

log = structlog.get_logger(__name__)

AfterCommit = Callable[[], Awaitable[None] | None]
_KEY = "after_commit"


def on_commit(session: AsyncSession | Session, callback: AfterCommit) -> None:
    """Run `callback` once the session's transaction has committed; never on rollback."""
    session.info.setdefault(_KEY, []).append(callback)


async def run_after_commit(session: AsyncSession) -> None:
    callbacks: list[AfterCommit] = session.info.pop(_KEY, [])
    for callback in callbacks:
        try:
            result = callback()
            if inspect.isawaitable(result):
                await result
        except Exception:  # the data is committed; a lost notification must not undo that
            log.exception("after_commit_failed", callback=getattr(callback, "__name__", "?"))


@asynccontextmanager
async def unit_of_work(db: Database) -> AsyncIterator[AsyncSession]:
    async with db.sessions() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            session.info.pop(_KEY, None)
            await session.rollback()
            raise
        await run_after_commit(session)
