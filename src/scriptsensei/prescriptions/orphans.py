"""Files in storage that no row names: removed when the transaction that was to name them
failed, and when the last row naming them is deleted."""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy.exc import SQLAlchemyError

from scriptsensei.core.db import Database
from scriptsensei.documents.storage import FileStorage
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
