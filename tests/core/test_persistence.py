"""Data written, app stopped, app started again: the data is still there."""

from __future__ import annotations

from scriptsensei.app import create_app
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import Prescription


async def test_data_survives_a_restart(settings: Settings) -> None:
    first = create_app(settings)
    async with first.router.lifespan_context(first):
        async with unit_of_work(first.state.runtime.db) as session:
            session.add(Prescription(id="keep-me", file_name="a.png", file_size="10"))

    second = create_app(settings)
    async with second.router.lifespan_context(second):
        async with unit_of_work(second.state.runtime.db) as session:
            row = await session.get(Prescription, "keep-me")
            assert row is not None
            assert row.file_name == "a.png"
            assert row.processing_status == "queued"
