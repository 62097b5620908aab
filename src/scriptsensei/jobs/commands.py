"""`scriptsensei worker`: a worker process on its own (any number, on any host)."""

from __future__ import annotations

import asyncio
import signal

import structlog
import typer

from scriptsensei.app import start_runtime
from scriptsensei.core.commands import load_settings
from scriptsensei.core.settings import Settings
from scriptsensei.extraction.cpu_pool import shutdown_shared_pools
from scriptsensei.jobs.component import build_worker

log = structlog.get_logger(__name__)


async def run_worker(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully."""
    runtime = await start_runtime(settings)  # applies pending migrations first
    if not settings.is_postgres:
        log.warning(
            "worker_on_sqlite",
            detail="a separate worker process is not woken by another process's commits on "
            "SQLite; run workers embedded in the web process instead",
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    worker = build_worker(runtime)
    await worker.start()
    try:
        await stop.wait()
        log.info("worker_stopping", grace_seconds=settings.shutdown_grace_seconds)
    finally:
        await worker.stop()
        await asyncio.to_thread(shutdown_shared_pools)
        await runtime.db.dispose()


def worker() -> None:
    """Process queued prescriptions until stopped (SIGTERM/SIGINT stop it gracefully)."""
    settings = load_settings()
    asyncio.run(run_worker(settings))


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
