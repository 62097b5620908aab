"""API test fixtures: an app whose engine registry holds two fast fake engines (`alpha`,
`beta`, which disagree on one strength), clients per role, and a worker on demand."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from fastapi import FastAPI

from scriptsensei.app import create_app
from scriptsensei.core.settings import Settings
from scriptsensei.extraction.registry import EngineRegistry
from scriptsensei.jobs.worker import Worker
from tests.conftest import make_settings
from tests.jobs.fake_engines import DEFAULT_VALUES, FakeEngine
from tests.support.auth_clients import (  # noqa: F401
    admin_client,
    anonymous_client,
    operator_client,
    reviewer_client,
    role_clients,
    viewer_client,
)

BETA_VALUES = {**DEFAULT_VALUES, "medications.0.strength": "650 mg"}
ENGINE_NAMES = ["alpha", "beta"]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url,
        tmp_path / "data",
        local_engines=ENGINE_NAMES,
        retry_backoff_seconds=0.05,
        run_lease_seconds=5.0,
        shutdown_grace_seconds=2.0,
        upload_and_process_timeout=20.0,
    )


@pytest.fixture
def engines() -> list[FakeEngine]:
    return [FakeEngine("alpha"), FakeEngine("beta", values=dict(BETA_VALUES))]


@pytest.fixture
async def app(settings: Settings, engines: list[FakeEngine]) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        application.state.runtime.components["engines"] = EngineRegistry(engines)
        yield application


StartWorker = Callable[[], Awaitable[Worker]]


@pytest.fixture
async def start_worker(app: FastAPI, settings: Settings) -> AsyncIterator[StartWorker]:
    """Starts a worker on the app's database and registry (stopped after the test)."""
    started: list[Worker] = []

    async def start() -> Worker:
        runtime = app.state.runtime
        worker = Worker(runtime.db, settings, runtime.components["engines"])
        await worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        await worker.stop(grace=1.0)
