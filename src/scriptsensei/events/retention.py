"""Event retention: old events are pruned, at most once an hour and only while events are
being written, so that an idle server issues no query at all."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.events.repository import delete_events_before

log = structlog.get_logger(__name__)

PRUNE_INTERVAL_SECONDS = 3600.0


class EventRetention:
    """Hooked onto the bus: each delivered event may start one background prune."""

    def __init__(self, db: Database, keep_days: int) -> None:
        self.db = db
        self.keep = timedelta(days=keep_days)
        self._last_started: float | None = None
        self.prunes_started = 0
        self._task: asyncio.Task[int] | None = None

    def on_event(self, _message: dict[str, Any]) -> None:
        now = time.monotonic()
        if self._last_started is not None and now - self._last_started < PRUNE_INTERVAL_SECONDS:
            return
        if self.pruning:
            return
        self._last_started = now
        self.prunes_started += 1
        self._task = asyncio.get_running_loop().create_task(self.prune())

    @property
    def pruning(self) -> bool:
        return self._task is not None and not self._task.done()

    async def prune(self) -> int:
        cutoff = datetime.now(UTC) - self.keep
        try:
            async with unit_of_work(self.db) as session:
                removed = await delete_events_before(session, cutoff)
        except Exception as exc:  # retention is housekeeping: retry at the next hour
            log.warning("events_prune_failed", error=str(exc)[:200])
            return 0
        if removed:
            log.info("events_pruned", removed=removed, older_than=cutoff.isoformat())
        return removed

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
