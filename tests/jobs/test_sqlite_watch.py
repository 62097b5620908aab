"""A worker of its own on SQLite is woken by other processes' commits, without queries."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import event

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.extraction.registry import EngineRegistry
from scriptsensei.jobs.sqlite_watch import sqlite_path, watch_database_file
from scriptsensei.jobs.worker import Worker
from tests.jobs.factories import create_and_enqueue, wait_until_settled
from tests.jobs.fake_engines import FakeEngine


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_commit_by_another_process_wakes_the_worker_and_idle_stays_silent(
    db: Database, settings: Settings
) -> None:
    # The worker has its own Database (as another process would): the in-process signal
    # of `db` never reaches it, only the file watcher does.
    worker_db = Database(settings)
    statements: list[str] = []
    event.listen(
        worker_db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2])
    )
    worker = Worker(worker_db, settings, EngineRegistry([FakeEngine("llm")]))
    path = sqlite_path(settings.resolved_database_url)
    assert path is not None and path.exists()
    await worker.start()
    watcher = asyncio.create_task(watch_database_file(path, worker.wake, interval=0.1))
    try:
        await asyncio.sleep(1.0)
        statements.clear()
        await asyncio.sleep(1.5)
        assert statements == []  # idle: stat() calls only
        await create_and_enqueue(db, settings, ["llm"])
        await wait_until_settled(db)
    finally:
        watcher.cancel()
        await worker.stop()
        await worker_db.dispose()


def test_database_path_from_the_url(tmp_path: Path) -> None:
    assert sqlite_path(f"sqlite+aiosqlite:///{tmp_path}/x.db") == tmp_path / "x.db"
    assert sqlite_path("sqlite+aiosqlite:///:memory:") is None
