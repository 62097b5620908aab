"""Housekeeping for intake: files left in storage by a process that died between storing
an upload and committing its rows are swept in the background at start-up; clean-ups that
waited for the database are stopped at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from sqlalchemy.exc import SQLAlchemyError

from scriptsensei.core.runtime import Runtime
from scriptsensei.documents.component import storage_of
from scriptsensei.prescriptions.orphans import close_deferred_cleanup, sweep_orphans

log = structlog.get_logger(__name__)


async def _sweep(runtime: Runtime) -> None:
    try:
        deleted = await sweep_orphans(runtime.db, storage_of(runtime))
    except (OSError, SQLAlchemyError) as exc:  # housekeeping must never stop the app
        log.warning("orphan_sweep_failed", error=str(exc))
        return
    log.info("orphan_sweep_done", deleted=len(deleted))


@asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    task = asyncio.create_task(_sweep(runtime), name="orphan-sweep")
    storage = storage_of(runtime)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await close_deferred_cleanup(storage)
