"""Files in storage that no row names: removed when the transaction that was to name them
failed, and when the last row naming them is deleted."""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import Sequence

import structlog
from sqlalchemy.exc import SQLAlchemyError

from scriptsensei.core.db import Database
from scriptsensei.documents.storage import FileStorage, StorageKeyMissing
from scriptsensei.prescriptions import repository

log = structlog.get_logger(__name__)

# A connection refused before SQLAlchemy wraps it arrives as a bare OSError.
_UNREACHABLE = (SQLAlchemyError, OSError)
RETRY_FIRST_DELAY = 1.0
RETRY_MAX_DELAY = 60.0


async def delete_unreferenced(db: Database, storage: FileStorage, keys: Sequence[str]) -> list[str]:
    """Delete those of `keys` that no committed row names; returns the deleted keys.

    When the database cannot be asked, nothing is deleted now: a file deleted under a row
    loses a prescription. The keys are kept and asked about again, with backoff, until the
    database answers (see `DeferredCleanup`)."""
    if not keys:
        return []
    try:
        return await _delete_if_unnamed(db, storage, keys)
    except _UNREACHABLE as exc:
        log.warning("orphan_check_deferred", keys=len(keys), error=str(exc))
        deferred_cleanup(db, storage).add(keys)
        return []


async def _delete_if_unnamed(db: Database, storage: FileStorage, keys: Sequence[str]) -> list[str]:
    async with db.sessions() as session:
        in_use = await repository.storage_keys_in_use(session, list(keys))
    deleted = [key for key in keys if key not in in_use]
    for key in deleted:
        await storage.delete(key)
    if deleted:
        log.info("orphan_files_deleted", count=len(deleted))
    return deleted


class DeferredCleanup:
    """Keys whose clean-up waits for the database to answer again (an outage broke the
    transaction that was to name them). One retry task runs while keys are waiting and
    none otherwise, so an idle process still issues no query."""

    def __init__(self, db: Database, storage: FileStorage) -> None:
        self.db, self.storage = db, storage
        self.keys: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    def add(self, keys: Sequence[str]) -> None:
        self.keys.update(keys)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._retry(), name="orphan-cleanup-retry")

    async def _retry(self) -> None:
        delay = RETRY_FIRST_DELAY
        while self.keys:
            await asyncio.sleep(delay)
            keys = sorted(self.keys)
            try:
                await _delete_if_unnamed(self.db, self.storage, keys)
            except _UNREACHABLE as exc:
                log.warning("orphan_check_retry", keys=len(keys), error=str(exc))
                delay = min(delay * 2, RETRY_MAX_DELAY)
                continue
            self.keys.difference_update(keys)

    async def close(self) -> None:
        """Stop retrying (at shutdown); what is left is swept at a later start-up."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


# One per storage backend in the process; dropped with the storage.
_deferred: weakref.WeakKeyDictionary[FileStorage, DeferredCleanup] = weakref.WeakKeyDictionary()


def deferred_cleanup(db: Database, storage: FileStorage) -> DeferredCleanup:
    found = _deferred.get(storage)
    if found is None:
        found = _deferred[storage] = DeferredCleanup(db, storage)
    return found


async def close_deferred_cleanup(storage: FileStorage) -> None:
    found = _deferred.pop(storage, None)
    if found is not None:
        await found.close()


# A file younger than this may belong to an upload whose transaction has not committed yet
# (in this or another process): the sweep leaves it alone.
SWEEP_MIN_AGE_SECONDS = 3600.0


async def _old_enough(storage: FileStorage, key: str, cutoff: float) -> bool:
    try:
        return await storage.modified_at(key) < cutoff
    except StorageKeyMissing:
        return False


async def sweep_orphans(
    db: Database, storage: FileStorage, min_age_seconds: float = SWEEP_MIN_AGE_SECONDS
) -> list[str]:
    """Delete stored files that no row names and partial writes, both older than
    `min_age_seconds`: what a process killed between storing an upload and committing its
    rows, or in the middle of writing a file, left behind."""
    cutoff = time.time() - min_age_seconds
    abandoned = await storage.remove_abandoned_writes(cutoff)
    if abandoned:
        log.info("abandoned_writes_removed", count=abandoned)
    candidates = [
        key async for key in storage.iter_keys() if await _old_enough(storage, key, cutoff)
    ]
    deleted: list[str] = []
    for start in range(0, len(candidates), 500):
        deleted += await _delete_if_unnamed(db, storage, candidates[start : start + 500])
    return deleted
