"""`scriptsensei worker`: a worker process on its own (any number, on any host)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from pathlib import Path

import structlog
import typer

from scriptsensei.app import start_runtime
from scriptsensei.core.commands import load_settings
from scriptsensei.core.settings import Settings
from scriptsensei.extraction.cpu_pool import shutdown_shared_pools
from scriptsensei.jobs.component import build_worker
from scriptsensei.jobs.sqlite_watch import sqlite_path, watch_database_file

log = structlog.get_logger(__name__)

HEARTBEAT_SECONDS = 10.0


def _watch_sqlite(settings: Settings, wake: Callable[[], None]) -> asyncio.Task[None] | None:
    """On SQLite, commits of other processes (the web app) are seen on the database file."""
    path = None if settings.is_postgres else sqlite_path(settings.resolved_database_url)
    if path is None:
        return None
    return asyncio.create_task(watch_database_file(path, wake), name="sqlite-watch")


async def touch_heartbeat(path: Path, every: float = HEARTBEAT_SECONDS) -> None:
    """Touch `path` on a timer, for a health check that reads its age: a worker serves no
    HTTP, and a file is the one proof of life that costs no database query when idle. It
    goes stale when the process hangs or its event loop is blocked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        await asyncio.to_thread(path.touch)
        await asyncio.sleep(every)


def _start_heartbeat(settings: Settings) -> asyncio.Task[None] | None:
    path = settings.worker_heartbeat_file
    if path is None:
        return None
    return asyncio.create_task(touch_heartbeat(path), name="worker-heartbeat-file")


async def _stop_heartbeat(task: asyncio.Task[None] | None, settings: Settings) -> None:
    if task is None or settings.worker_heartbeat_file is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    # A stopped worker must not look healthy.
    settings.worker_heartbeat_file.unlink(missing_ok=True)


async def run_worker(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully."""
    runtime = await start_runtime(settings)  # applies pending migrations first
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    worker = build_worker(runtime)
    await worker.start()
    watcher = _watch_sqlite(settings, worker.wake)
    heartbeat = _start_heartbeat(settings)
    try:
        await stop.wait()
        log.info("worker_stopping", grace_seconds=settings.shutdown_grace_seconds)
    finally:
        await _stop_heartbeat(heartbeat, settings)
        if watcher is not None:
            watcher.cancel()
        await worker.stop()
        await asyncio.to_thread(shutdown_shared_pools)
        await runtime.db.dispose()


def worker() -> None:
    """Process queued prescriptions until stopped (SIGTERM/SIGINT stop it gracefully)."""
    settings = load_settings()
    asyncio.run(run_worker(settings))


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
