"""A worker uses the engine settings current when it claims a run, although the change
was made through another catalog (as another process would make it), and sends no query
while idle."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, select

from scriptsensei.core.db import Database
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.engine_settings.catalog import EngineCatalog
from scriptsensei.engine_settings.service import EngineChanges, update_engine
from scriptsensei.jobs.component import build_worker
from scriptsensei.models import EngineRun
from tests.engine_settings.conftest import ADMIN
from tests.fakes.openai_server import FakeOpenAIServer
from tests.jobs.factories import create_and_enqueue, wait_until_settled


async def _change(db: Database, settings: Settings, name: str, **changes: Any) -> None:
    async with unit_of_work(db) as session:
        await update_engine(session, EngineCatalog(settings), name, EngineChanges(**changes), ADMIN)


async def _run(db: Database, processing_run_id: str) -> EngineRun:
    async with db.sessions() as session:
        query = select(EngineRun).where(EngineRun.processing_run_id == processing_run_id)
        return (await session.scalars(query)).one()


async def test_the_worker_claims_with_the_current_settings(
    db: Database, settings: Settings, fake_llm: FakeOpenAIServer
) -> None:
    worker = build_worker(Runtime(settings=settings, db=db))
    await worker.start()
    try:
        await _change(db, settings, "vision", model="vision/changed", input_price_per_mtok=1000)
        _, first = await create_and_enqueue(db, settings, ["vision"], seed=1)
        await wait_until_settled(db)
        done = await _run(db, first)
        assert done.status == "succeeded", done.error
        assert [r.body["model"] for r in fake_llm.chat_requests] == ["vision/changed"]
        assert (done.engine_version or "").startswith("vision/changed+")
        assert done.input_tokens and done.cost_usd
        assert done.cost_usd >= done.input_tokens * 1000 / 1_000_000

        await _change(db, settings, "vision", enabled=False)
        _, second = await create_and_enqueue(db, settings, ["vision"], seed=2)
        await wait_until_settled(db)
        refused = await _run(db, second)
        assert refused.status == "failed"
        assert "switched off in Settings" in (refused.error or "")
        assert len(fake_llm.chat_requests) == 1
    finally:
        await worker.stop(grace=1.0)


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_settings_are_read_once_per_claim_and_never_while_idle(
    db: Database, settings: Settings
) -> None:
    statements: list[str] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    worker = build_worker(Runtime(settings=settings, db=db))
    await worker.start()
    try:
        await create_and_enqueue(db, settings, ["vision"], seed=3)
        worker.wake()
        await wait_until_settled(db)
        assert len([s for s in statements if "FROM engine_settings" in s]) == 1
        statements.clear()
        await asyncio.sleep(1.0)
        assert statements == []
    finally:
        await worker.stop(grace=1.0)
