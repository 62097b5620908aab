"""Workers embedded in the web process, started and stopped with it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from scriptsensei.core.db import Database
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.settings import Settings
from scriptsensei.extraction.registry import EngineRegistry
from scriptsensei.jobs.component import lifespan
from scriptsensei.jobs.worker import Worker
from scriptsensei.models import Prescription
from tests.jobs.factories import create_and_enqueue, unfinished_runs, wait_for
from tests.jobs.fake_engines import FakeEngine


async def test_embedded_worker_processes_and_stops_with_the_app(
    db: Database, settings: Settings
) -> None:
    runtime = Runtime(settings=settings.model_copy(update={"embedded_workers": True}), db=db)
    runtime.components["engines"] = EngineRegistry([FakeEngine("llm")])
    async with lifespan(runtime):
        assert isinstance(runtime.components["worker"], Worker)
        rx_id, _ = await create_and_enqueue(db, settings, ["llm"])
        await wait_for(
            db, select(Prescription.processing_status).where(Prescription.id == rx_id), "completed"
        )
    assert await unfinished_runs(db) == 0


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_no_embedded_worker_when_switched_off(db: Database, settings: Settings) -> None:
    runtime = Runtime(settings=settings.model_copy(update={"embedded_workers": False}), db=db)
    async with lifespan(runtime):
        assert "worker" not in runtime.components
