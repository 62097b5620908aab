"""PostgreSQL wake-ups: one dedicated connection LISTENing on the jobs channel.

When PostgreSQL restarts the connection drops; it is re-opened with backoff, and every
(re)connection triggers one claim round, since notifications sent meanwhile were lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import asyncpg
import structlog

from scriptsensei.core.db import Database
from scriptsensei.events.types import JOBS_CHANNEL

log = structlog.get_logger(__name__)

RECONNECT_FIRST_DELAY = 0.5
RECONNECT_MAX_DELAY = 10.0


def asyncpg_dsn(db: Database) -> str:
    url = db.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class JobsListener:
    def __init__(self, db: Database, on_wake: Callable[[], None]) -> None:
        self.dsn = asyncpg_dsn(db)
        self.on_wake = on_wake
        self.connected = asyncio.Event()  # set while LISTENing (tests wait for it)
        self.connections = 0  # successful connections so far: more than one = reconnected

    def _notified(self, *_args: Any) -> None:
        self.on_wake()

    async def _listen_once(self) -> None:
        lost = asyncio.Event()
        conn = await asyncpg.connect(self.dsn, timeout=5)
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(JOBS_CHANNEL, self._notified)
            self.connections += 1
            self.connected.set()
            log.info("jobs_listener_connected")
            self.on_wake()  # notifications sent while we were not listening are lost
            await lost.wait()
        finally:
            self.connected.clear()
            if not conn.is_closed():
                await conn.close(timeout=2)

    async def run(self) -> None:
        delay = RECONNECT_FIRST_DELAY
        while True:
            try:
                await self._listen_once()
                delay = RECONNECT_FIRST_DELAY
                log.warning("jobs_listener_lost")
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning("jobs_listener_connect_failed", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_DELAY)
