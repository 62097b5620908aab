"""Queue test fixtures: fast retries, short leases, workers stopped after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.extraction.registry import EngineRegistry
from scriptsensei.jobs.worker import Worker
from tests.conftest import make_settings
from tests.jobs.fake_engines import FakeEngine

MakeWorker = Callable[..., Worker]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url,
        tmp_path / "data",
        retry_backoff_seconds=0.05,
        run_lease_seconds=3.0,
        shutdown_grace_seconds=2.0,
        llm_concurrency=4,
        ocr_processes=2,
    )


@pytest.fixture
async def workers(db: Database, settings: Settings) -> AsyncIterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        await worker.stop(grace=1.0)


@pytest.fixture
def start_worker(db: Database, settings: Settings, workers: list[Worker]) -> Callable[..., object]:
    async def start(*engines: FakeEngine, config: Settings | None = None) -> Worker:
        worker = Worker(db, config or settings, EngineRegistry(engines))
        await worker.start()
        workers.append(worker)
        return worker

    return start
