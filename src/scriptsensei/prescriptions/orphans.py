"""Files in storage that no row names: removed when the transaction that was to name them
failed, and when the last row naming them is deleted."""

from __future__ import annotations

import time
from collections.abc import Sequence

import structlog
from sqlalchemy.exc import SQLAlchemyError

from scriptsensei.core.db import Database
from scriptsensei.documents.storage import FileStorage, StorageKeyMissing
from scriptsensei.prescriptions import repository

log = structlog.get_logger(__name__)


async def delete_unreferenced(db: Database, storage: FileStorage, keys: Sequence[str]) -> list[str]:
    """Delete those of `keys` that no committed row names; returns the deleted keys.

    When the database cannot be asked, nothing is deleted: a file kept too long costs
    disk space, a file deleted under a row loses a prescription."""
    if not keys:
        return []
    try:
        async with db.sessions() as session:
            in_use = await repository.storage_keys_in_use(session, list(keys))
    except SQLAlchemyError:
        log.warning("orphan_check_failed", keys=len(keys))
        return []
    deleted = [key for key in keys if key not in in_use]
    for key in deleted:
        await storage.delete(key)
    if deleted:
        log.info("orphan_files_deleted", count=len(deleted))
    return deleted


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
    """Delete stored files that no row names and that are older than `min_age_seconds`:
    what a process killed between storing an upload and committing its rows left behind."""
    cutoff = time.time() - min_age_seconds
    candidates = [
        key async for key in storage.iter_keys() if await _old_enough(storage, key, cutoff)
    ]
    deleted: list[str] = []
    for start in range(0, len(candidates), 500):
        deleted += await delete_unreferenced(db, storage, candidates[start : start + 500])
    return deleted
