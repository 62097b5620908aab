"""Real worker processes on PostgreSQL: killed with SIGKILL, stopped with SIGTERM, and two
of them sharing fifty prescriptions."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.models import EngineRun, ExtractionResult, Prescription
from tests.jobs.factories import create_and_enqueue, wait_for
from tests.jobs.fake_engines import DEFAULT_VALUES
from tests.jobs.processes import plugin_dir, worker_env, worker_process

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_backend", ["postgres"])]

STARTUP = 90.0  # a process importing everything on a busy machine


def logged(logs: list[Path], event: str) -> int:
    """How many times the worker processes logged `event`."""
    lines = [
        json.loads(line)
        for log in logs
        for line in log.read_text().splitlines()
        if line.startswith("{")
    ]
    return sum(1 for line in lines if line.get("event") == event)


async def running_runs(db: Database) -> int:
    async with db.sessions() as session:
        query = select(func.count()).select_from(EngineRun).where(EngineRun.status == "running")
        return int(await session.scalar(query) or 0)


async def test_killed_worker_run_is_retried_after_its_lease_and_completes_once(
    db: Database, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    plugins = plugin_dir(tmp_path / "plugins")
    rx_id, _ = await create_and_enqueue(db, settings, ["sleepy"])
    doomed_env = worker_env(database_url, settings.data_dir, plugins, run_lease_seconds="2")
    doomed_env["FAKE_ENGINE_SECONDS"] = "120"
    with worker_process(doomed_env, tmp_path / "doomed.log") as doomed:
        await wait_for(
            db,
            select(func.count()).select_from(EngineRun).where(EngineRun.status == "running"),
            1,
            STARTUP,
        )
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    assert await running_runs(db) == 1  # nobody released it: the worker died

    survivor_env = worker_env(database_url, settings.data_dir, plugins, run_lease_seconds="2")
    with worker_process(survivor_env, tmp_path / "survivor.log") as survivor:
        done = select(Prescription.processing_status).where(Prescription.id == rx_id)
        await wait_for(db, done, "completed", STARTUP)
        survivor.send_signal(signal.SIGTERM)
        assert survivor.wait(timeout=30) == 0

    async with db.sessions() as session:
        run = (await session.execute(select(EngineRun))).scalar_one()
        rows = await session.scalar(select(func.count()).select_from(ExtractionResult))
    assert (run.status, run.attempts) == ("succeeded", 2)
    assert rows == len(DEFAULT_VALUES)


async def test_sigterm_releases_the_run_and_exits_cleanly(
    db: Database, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    plugins = plugin_dir(tmp_path / "plugins")
    rx_id, _ = await create_and_enqueue(db, settings, ["sleepy"])
    env = worker_env(database_url, settings.data_dir, plugins, shutdown_grace_seconds="0.5")
    env["FAKE_ENGINE_SECONDS"] = "120"
    with worker_process(env, tmp_path / "worker.log") as worker:
        await wait_for(
            db,
            select(func.count()).select_from(EngineRun).where(EngineRun.status == "running"),
            1,
            STARTUP,
        )
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(worker.wait, 30) == 0
    async with db.sessions() as session:
        run = (await session.execute(select(EngineRun))).scalar_one()
        status = await session.scalar(
            select(Prescription.processing_status).where(Prescription.id == rx_id)
        )
    assert (run.status, run.attempts, run.lease_owner) == ("queued", 0, None)
    assert status == "queued"


async def test_two_worker_processes_process_fifty_prescriptions_exactly_once(
    db: Database, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    plugins = plugin_dir(tmp_path / "plugins")
    env = worker_env(database_url, settings.data_dir, plugins, llm_concurrency="4")
    env["FAKE_ENGINE_SECONDS"] = "0.05"
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    with worker_process(env, logs[0]) as first, worker_process(env, logs[1]) as second:
        for i in range(50):
            await create_and_enqueue(db, settings, ["sleepy"], seed=i)
        completed = (
            select(func.count())
            .select_from(Prescription)
            .where(Prescription.processing_status == "completed")
        )
        await wait_for(db, completed, 50, STARTUP + 60)
        for process in (first, second):
            process.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(process.wait, 30) == 0

    async with db.sessions() as session:
        runs = (await session.execute(select(EngineRun.status, EngineRun.attempts))).all()
        rows = await session.scalar(select(func.count()).select_from(ExtractionResult))
    assert [status for status, _ in runs] == ["succeeded"] * 50
    assert rows == 50 * len(DEFAULT_VALUES)
    # each run's result was recorded once; every claim was an attempt of its own (a
    # transient database error on a busy machine may legitimately cost one more attempt)
    assert logged(logs, "engine_run_succeeded") == 50
    assert logged(logs, "engine_run_claimed") == sum(attempts for _, attempts in runs)
