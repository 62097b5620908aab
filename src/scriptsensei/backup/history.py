"""Backups taken, kept in the database so health and metrics can say when the last one ran."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import structlog
from sqlalchemy import select

from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import BackupRun

log = structlog.get_logger(__name__)


async def run_recorded(
    db: Database, trigger: str, take: Callable[[], Awaitable[Path]]
) -> BackupRun:
    """Take a backup with `take` and record how it went (the row is written afterwards, so
    it is not part of the archive it describes)."""
    started = datetime.now(UTC)
    clock = time.monotonic()
    run = BackupRun(trigger=trigger, started_at=started, status="running")
    try:
        path = await take()
        run.status, run.path, run.size_bytes = "succeeded", str(path), path.stat().st_size
    except Exception as exc:  # recorded and re-raised: a failed backup must be visible
        run.status, run.error = "failed", str(exc)[:2000]
        raise
    finally:
        run.finished_at = datetime.now(UTC)
        async with unit_of_work(db) as session:
            session.add(run)
        log.info(
            "backup_recorded",
            trigger=trigger,
            status=run.status,
            seconds=round(time.monotonic() - clock, 2),
        )
    return run


async def last_backup(db: Database) -> BackupRun | None:
    async with unit_of_work(db) as session:
        row = await session.execute(
            select(BackupRun).order_by(BackupRun.started_at.desc()).limit(1)
        )
        return row.scalar_one_or_none()
