"""PostgreSQL LISTEN/NOTIFY: events committed by any process reach this process's bus.

One dedicated connection LISTENs on `scriptsensei_events`; a notification carries only the
event's sequence number. A burst of notifications costs one query (`seq > last delivered`,
in order), whatever the number of connected clients. While nothing happens the connection
sits silent: no polling, no periodic query. If PostgreSQL goes away the listener
re-connects with backoff, LISTENs again and catches up from the last delivered event.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from typing import Any

import asyncpg
import structlog
from sqlalchemy.engine import make_url

from scriptsensei.events.bus import LocalEventBus
from scriptsensei.events.publish import event_message
from scriptsensei.events.types import EVENTS_CHANNEL
from scriptsensei.models import EventRecord

log = structlog.get_logger(__name__)

FETCH_LIMIT = 1000
RECENT_SEQS_KEPT = 4096
BACKOFF_FIRST_SECONDS = 0.2
BACKOFF_MAX_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0

_FETCH_SQL = (
    "SELECT seq, type, prescription_id, payload, created_at FROM events "
    "WHERE seq > $1 ORDER BY seq LIMIT $2"
)
_LATEST_SQL = "SELECT coalesce(max(seq), 0) FROM events"

_CONNECTION_ERRORS = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    # Includes "terminating connection due to administrator command" and "the database
    # system is starting up": wait and try again.
    asyncpg.PostgresError,
)


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """The plain `postgresql://` DSN asyncpg wants, from the application's URL."""
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def message_from_row(row: asyncpg.Record) -> dict[str, Any]:
    payload = row["payload"]
    if isinstance(payload, str):  # asyncpg hands jsonb over as text
        payload = json.loads(payload)
    record = EventRecord(
        seq=row["seq"],
        type=row["type"],
        prescription_id=row["prescription_id"],
        payload=payload or {},
        created_at=row["created_at"],
    )
    return event_message(record)


class PostgresEventListener:
    def __init__(self, url: str, bus: LocalEventBus) -> None:
        self.dsn = asyncpg_dsn(url)
        self.bus = bus
        self.last_seq: int | None = None  # None until the first connection read the newest
        self.connects = 0
        self.queries = 0  # fetches run, for tests and benchmarks
        self.ready = asyncio.Event()
        self._wake = asyncio.Event()
        self._lost = asyncio.Event()
        self._pending: set[int] = set()  # notified seqs not fetched yet
        self._recent: deque[int] = deque(maxlen=RECENT_SEQS_KEPT)
        self._recent_set: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None

    async def start(self, wait_seconds: float = CONNECT_TIMEOUT_SECONDS) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())
        try:
            await asyncio.wait_for(self.ready.wait(), wait_seconds)
        except TimeoutError:
            log.warning("events_listener_not_ready", detail="retrying in the background")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._close()

    @property
    def backend_pid(self) -> int | None:
        """The server process of the LISTEN connection (tests terminate it)."""
        return self._conn.get_server_pid() if self._conn is not None else None

    async def _run(self) -> None:
        backoff = BACKOFF_FIRST_SECONDS
        while True:
            try:
                await self._connect()
                backoff = BACKOFF_FIRST_SECONDS
                await self._serve()
            except _CONNECTION_ERRORS as exc:
                log.warning("events_listener_disconnected", error=str(exc)[:200] or repr(exc))
            except Exception:  # never let live delivery die for good: log, re-connect
                log.exception("events_listener_failed")
            finally:
                self.ready.clear()
                await self._close()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX_SECONDS)

    async def _connect(self) -> None:
        self._lost.clear()
        conn = await asyncpg.connect(self.dsn, timeout=CONNECT_TIMEOUT_SECONDS)
        self._conn = conn
        conn.add_termination_listener(self._on_terminated)
        # LISTEN before reading the newest seq, so nothing committed in between is missed.
        await conn.add_listener(EVENTS_CHANNEL, self._on_notify)
        if self.last_seq is None:
            self.last_seq = int(await conn.fetchval(_LATEST_SQL))
            self.bus.latest_seq = max(self.bus.latest_seq, self.last_seq)
        else:
            self._wake.set()  # catch up on whatever was committed while disconnected
        self.connects += 1
        log.info("events_listener_connected", last_seq=self.last_seq, connects=self.connects)
        self.ready.set()

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()

    async def _serve(self) -> None:
        while not self._lost.is_set():
            await self._wake.wait()
            self._wake.clear()
            if self._lost.is_set():
                break
            await self._fetch_new()
        raise ConnectionError("the LISTEN connection was closed")

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload.isdigit():
            self._pending.add(int(payload))
        self._wake.set()

    def _on_terminated(self, _conn: Any) -> None:
        self._lost.set()
        self._wake.set()

    def _lower_bound(self, notified: set[int]) -> int:
        # A transaction that took its seq early may commit after a later one was delivered:
        # its notification brings the fetch's lower bound down so it is not skipped.
        last = self.last_seq or 0
        late = [seq for seq in notified if seq <= last]
        return min(late) - 1 if late else last

    async def _fetch_new(self) -> None:
        assert self._conn is not None
        notified, self._pending = self._pending, set()
        after = self._lower_bound(notified)
        while True:
            rows = await self._conn.fetch(_FETCH_SQL, after, FETCH_LIMIT)
            self.queries += 1
            self._deliver(rows)
            if len(rows) < FETCH_LIMIT:
                return
            after = int(rows[-1]["seq"])

    def _deliver(self, rows: list[asyncpg.Record]) -> None:
        for row in rows:
            seq = int(row["seq"])
            if seq in self._recent_set:
                continue
            self._remember(seq)
            self.last_seq = max(self.last_seq or 0, seq)
            self.bus.deliver(message_from_row(row))

    def _remember(self, seq: int) -> None:
        if len(self._recent) == self._recent.maxlen:
            self._recent_set.discard(self._recent[0])
        self._recent.append(seq)
        self._recent_set.add(seq)
