"""After-commit callbacks run only after a commit, never after a rollback."""

from __future__ import annotations

import pytest

from scriptsensei.core.db import Database
from scriptsensei.core.transaction import on_commit, unit_of_work
from scriptsensei.models import Prescription


async def test_callbacks_run_after_commit(db: Database) -> None:
    seen: list[str] = []
    async with unit_of_work(db) as session:
        session.add(Prescription(id="p1", file_name="a.png", file_size="1"))
        on_commit(session, lambda: seen.append("sync"))

        async def later() -> None:
            seen.append("async")

        on_commit(session, later)
        assert seen == []
    assert seen == ["sync", "async"]


async def test_callbacks_dropped_on_rollback(db: Database) -> None:
    seen: list[str] = []
    with pytest.raises(RuntimeError):
        async with unit_of_work(db) as session:
            session.add(Prescription(id="p2", file_name="a.png", file_size="1"))
            on_commit(session, lambda: seen.append("never"))
            raise RuntimeError("boom")
    assert seen == []
    async with unit_of_work(db) as session:
        assert await session.get(Prescription, "p2") is None
