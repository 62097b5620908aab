"""The worker: claims engine runs, runs them concurrently, records their outcome.

It sleeps until told there is work (PostgreSQL NOTIFY on the jobs channel, or the
in-process signal on SQLite) or until the next moment something falls due (another
worker's lease expiry, a backed-off retry). An idle worker issues no query at all.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import structlog
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.extraction.cpu_pool import pool_size
from scriptsensei.extraction.lexicon import get_lexicon
from scriptsensei.extraction.registry import EngineRegistry
from scriptsensei.jobs.claim import (
    ClaimedRun,
    cancel_runs_of_cancelled_requests,
    claim_next_run,
    expired_lease_runs,
    next_due_at,
    renew_leases,
)
from scriptsensei.jobs.execution import EngineFailure, run_engine
from scriptsensei.jobs.listener import JobsListener
from scriptsensei.jobs.outcome import reap_expired, record_failure, record_success, release_runs
from scriptsensei.jobs.pages import DirectoryBlobs, PageSource, StoredPages
from scriptsensei.jobs.progress import mark_processing
from scriptsensei.models.types import utcnow

log = structlog.get_logger(__name__)
T = TypeVar("T")

_DB_ERRORS = (OperationalError, DBAPIError, OSError, ConnectionError)
# Brings the registry up to date with the stored engine settings, in the given transaction.
RefreshEngines = Callable[[AsyncSession], Awaitable[EngineRegistry]]
ROUND_RETRY_MAX_DELAY = 30.0


@dataclass
class _Flight:
    claimed: ClaimedRun
    kind: str
    task: asyncio.Task[None] | None = None
    writing: bool = False  # recording the outcome: let it finish, never cancel it


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Claims and runs engine runs until stopped. Usable embedded in the web process or
    on its own (`scriptsensei worker`); any number of workers share one database.
    `refresh`, when given, is called in each claim's transaction."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        registry: EngineRegistry,
        *,
        pages: PageSource | None = None,
        name: str | None = None,
        refresh: RefreshEngines | None = None,
    ) -> None:
        self.db, self.settings, self.registry = db, settings, registry
        self._refresh = refresh
        self.pages = pages or StoredPages(db, DirectoryBlobs(settings.storage_dir))
        self.name = name or worker_name()
        self.lease_seconds = settings.run_lease_seconds
        self._slots = {"ocr": pool_size(settings.ocr_processes), "llm": settings.llm_concurrency}
        self._kinds = {n: str(registry.get(n).kind) for n in registry.names()}
        self._flights: dict[str, _Flight] = {}
        self._wake = db.work_available if not db.is_postgres else asyncio.Event()
        self._busy = asyncio.Event()
        self._sqlite_writer = asyncio.Lock()
        self._stopping = False
        self._lease_due: datetime | None = utcnow()  # reap once at start-up
        self._tasks: list[asyncio.Task[None]] = []
        self.listener: JobsListener | None = None  # PostgreSQL only, once started

    # -- public -------------------------------------------------------------------------
    @property
    def in_flight(self) -> int:
        return len(self._flights)

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._claim_loop(), name=f"worker-claims-{self.name}"),
            asyncio.create_task(self._heartbeat_loop(), name=f"worker-heartbeat-{self.name}"),
        ]
        if self.db.is_postgres:
            self.listener = JobsListener(self.db, self.wake)
            self._tasks.append(asyncio.create_task(self.listener.run(), name="jobs-listener"))
        self.wake()
        log.info("worker_started", worker=self.name, slots=self._slots)

    async def stop(self, grace: float | None = None) -> None:
        """Stop claiming, let in-flight runs finish within `grace` seconds, give the rest
        back to the queue (their attempt not counted)."""
        if self._stopping or not self._tasks:
            return
        self._stopping = True
        self.wake()
        await asyncio.gather(self._tasks[0], return_exceptions=True)
        await self._drain(self.settings.shutdown_grace_seconds if grace is None else grace)
        for task in self._tasks[1:]:
            task.cancel()
        await asyncio.gather(*self._tasks[1:], return_exceptions=True)
        log.info("worker_stopped", worker=self.name)

    # -- transactions ---------------------------------------------------------------------
    @asynccontextmanager
    async def _write_turn(self) -> AsyncIterator[None]:
        # SQLite has one writer: taking turns here avoids waiting on the file lock.
        if self.db.is_postgres:
            yield
            return
        async with self._sqlite_writer:
            yield

    async def _transaction(self, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with self._write_turn(), unit_of_work(self.db) as session:
            return await action(session)

    async def _record(self, action: Callable[[AsyncSession], Awaitable[bool]]) -> bool:
        """Record an outcome, retrying while the database is unreachable (up to a lease:
        after that another worker takes the run over and this result is discarded)."""
        deadline = asyncio.get_running_loop().time() + self.lease_seconds
        delay = 0.2
        while True:
            try:
                if await self._transaction(action):
                    return True
                log.warning("engine_run_lease_lost_result_discarded", worker=self.name)
                return False
            except _DB_ERRORS as exc:
                if asyncio.get_running_loop().time() + delay > deadline:
                    log.error("engine_run_outcome_not_recorded", error=str(exc))
                    return False
                log.warning("engine_run_outcome_retry", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    # -- claiming -------------------------------------------------------------------------
    def _full_engines(self) -> list[str]:
        busy: dict[str, int] = {}
        for flight in self._flights.values():
            busy[flight.kind] = busy.get(flight.kind, 0) + 1
        return [n for n, k in self._kinds.items() if busy.get(k, 0) >= self._slots.get(k, 1)]

    async def _claim(self, session: AsyncSession) -> ClaimedRun | None:
        claimed = await claim_next_run(session, self.name, self.lease_seconds, self._full_engines())
        if claimed is None:
            return None
        if self._refresh is not None:
            # Read with the claim, so the run uses the engine settings current right now.
            self.registry = await self._refresh(session)
        return await mark_processing(session, claimed)

    async def _reap(self, session: AsyncSession) -> None:
        # Cancelling marks the engine runs itself; this sweep only catches runs left queued
        # by a cancel from an older version, so it runs with the (rare) lease checks.
        await cancel_runs_of_cancelled_requests(session)
        await reap_expired(session, await expired_lease_runs(session))

    async def _round(self) -> datetime | None:
        """Claim what this worker has room for; return when to look again unprompted."""
        self._wake.clear()
        looked_at = utcnow()  # every run due by now is seen by the claims below
        if self._lease_due is not None and self._lease_due <= looked_at:
            await self._transaction(self._reap)
        while not self._stopping:
            claimed = await self._transaction(self._claim)
            if claimed is None:
                break
            self._launch(claimed)
        async with self.db.sessions() as session:
            due = await next_due_at(session, self.name, looked_at)
        self._lease_due = due.lease_expiry
        return due.earliest()

    async def _sleep_until(self, moment: datetime | None) -> None:
        timeout = None if moment is None else max((moment - utcnow()).total_seconds(), 0.0)
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _claim_loop(self) -> None:
        # Every roll-up normalises drug names against the lexicon. Loaded lazily, its
        # seconds of loading would run on the event loop and stall heartbeats long enough
        # for a short lease to expire; loaded here, in a thread, before the first claim.
        await asyncio.to_thread(get_lexicon)
        failures = 0
        while not self._stopping:
            try:
                due = await self._round()
                failures = 0
            except Exception as exc:  # the loop must outlive a database outage or a bug
                failures += 1
                wait = min(0.5 * 2**failures, ROUND_RETRY_MAX_DELAY)
                log.warning("worker_round_failed", error=repr(exc), retry_in=wait, exc_info=True)
                due = utcnow() + timedelta(seconds=wait)
            if not self._stopping:
                await self._sleep_until(due)

    # -- running --------------------------------------------------------------------------
    def _launch(self, claimed: ClaimedRun) -> None:
        flight = _Flight(claimed, self._kinds.get(claimed.engine_name, "other"))
        flight.task = asyncio.create_task(self._execute(flight), name=f"run-{claimed.id}")
        self._flights[claimed.id] = flight
        self._busy.set()
        flight.task.add_done_callback(lambda _t: self._landed(claimed.id))
        log.info(
            "engine_run_claimed",
            worker=self.name,
            run=claimed.id,
            engine=claimed.engine_name,
            attempt=claimed.attempt,
        )

    def _landed(self, run_id: str) -> None:
        self._flights.pop(run_id, None)
        if not self._flights:
            self._busy.clear()
        if not self._stopping:
            self.wake()  # a slot is free

    async def _execute(self, flight: _Flight) -> None:
        claimed = flight.claimed
        outcome = await run_engine(self.registry, self.pages, claimed)
        flight.writing = True
        if isinstance(outcome, EngineFailure):
            log.warning("engine_run_failed", run=claimed.id, engine=claimed.engine_name,
                        error=outcome.error, transient=outcome.transient)  # fmt: skip
            await self._record(
                lambda s: record_failure(
                    s,
                    claimed,
                    outcome.error,
                    transient=outcome.transient,
                    retry_after=outcome.retry_after,
                    backoff_seconds=self.settings.retry_backoff_seconds,
                )
            )
        else:
            if await self._record(lambda s: record_success(s, claimed, outcome)):
                log.info("engine_run_succeeded", run=claimed.id, engine=claimed.engine_name)

    # -- leases -----------------------------------------------------------------------------
    async def _heartbeat_loop(self) -> None:
        while True:
            await self._busy.wait()
            await asyncio.sleep(self.lease_seconds / 3)
            await self._beat()

    async def _beat(self) -> None:
        ids = [i for i, f in self._flights.items() if not f.writing]
        if not ids:
            return
        try:
            alive = await self._transaction(
                lambda s: renew_leases(s, self.name, ids, self.lease_seconds)
            )
        except _DB_ERRORS as exc:
            log.warning("worker_heartbeat_failed", error=str(exc))
            return
        self._abandon([i for i in ids if i not in alive])

    def _abandon(self, run_ids: list[str]) -> None:
        """Stop running what is no longer ours (cancelled, or taken over by another worker)."""
        for run_id in run_ids:
            flight = self._flights.get(run_id)
            if flight is not None and flight.task is not None and not flight.writing:
                log.warning("engine_run_lease_lost", run=run_id, worker=self.name)
                flight.task.cancel()

    async def _drain(self, grace: float) -> None:
        flights = list(self._flights.values())
        tasks = [f.task for f in flights if f.task is not None]
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=grace)
        unfinished = [f for f in flights if f.task in pending and not f.writing]
        for flight in unfinished:
            assert flight.task is not None
            flight.task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if unfinished:
            claimed = [f.claimed for f in unfinished]
            try:
                released = await self._transaction(lambda s: release_runs(s, claimed))
            except _DB_ERRORS as exc:  # their leases expire and another worker retries them
                log.warning("engine_runs_not_released", worker=self.name, error=str(exc))
                return
            log.info("engine_runs_released", worker=self.name, released=released)
