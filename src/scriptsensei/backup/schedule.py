"""Scheduled backups: a cron expression ("0 2 * * *") or an interval ("6h", "30m").

Only one process takes each scheduled backup: on PostgreSQL the one that wins a
try-lock; on SQLite there is one process. Between backups the scheduler sleeps: no query.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import structlog
from croniter import croniter
from sqlalchemy import text

from scriptsensei.backup.create import apply_retention, create_backup
from scriptsensei.backup.history import run_recorded
from scriptsensei.core.runtime import Runtime

log = structlog.get_logger(__name__)

_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SCHEDULE_LOCK_KEY = 0x5C417053_BAC0


class Schedule:
    def __init__(self, expression: str) -> None:
        self.expression = expression.strip()
        match = _INTERVAL.match(self.expression)
        self._interval = (
            timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]]) if match else None
        )
        if self._interval is not None and self._interval.total_seconds() < 60:
            raise ValueError("a backup interval must be at least one minute")
        if self._interval is None and not croniter.is_valid(self.expression):
            raise ValueError(
                f"backup schedule {expression!r} is neither a cron expression nor an interval "
                "such as '6h'"
            )

    def next_after(self, moment: datetime) -> datetime:
        if self._interval is not None:
            return moment + self._interval
        return croniter(self.expression, moment).get_next(datetime)  # type: ignore[no-any-return]


async def _take_scheduled(runtime: Runtime) -> None:
    settings = runtime.settings
    async with runtime.db.engine.connect() as conn:
        if runtime.db.is_postgres:
            got = await conn.scalar(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": SCHEDULE_LOCK_KEY}
            )
            if not got:
                log.info("scheduled_backup_taken_elsewhere")
                return
        try:
            await run_recorded(runtime.db, "scheduled", lambda: create_backup(settings))
            apply_retention(settings.resolved_backup_dir, settings.backup_keep)
        finally:
            if runtime.db.is_postgres:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEDULE_LOCK_KEY})


async def run_schedule(runtime: Runtime, schedule: Schedule) -> None:
    while True:
        now = datetime.now(UTC)
        due = schedule.next_after(now)
        await asyncio.sleep(max(0.0, (due - now).total_seconds()))
        try:
            await _take_scheduled(runtime)
        except Exception:  # recorded by run_recorded; the schedule carries on
            log.exception("scheduled_backup_failed")


@asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    expression = runtime.settings.backup_schedule
    if not expression:
        yield
        return
    schedule = Schedule(expression)
    task = asyncio.create_task(run_schedule(runtime, schedule), name="backup-schedule")
    log.info("backup_schedule_started", schedule=expression)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
