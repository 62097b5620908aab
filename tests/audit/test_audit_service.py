"""Recording audit entries and reading them back by keyset pages and filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from scriptsensei.audit.service import (
    AuditFilter,
    decode_cursor,
    encode_cursor,
    list_entries,
    record,
    record_now,
)
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.principal import Principal
from scriptsensei.core.db import Database
from scriptsensei.core.errors import BadRequest
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import AuditEntry

ALICE = Principal(type="user", id="u-1", name="alice", role=Role.REVIEWER)
KEY = Principal(type="api_key", id="k-1", name="lab", role=Role.OPERATOR)


async def _fill(db: Database) -> None:
    async with unit_of_work(db) as session:
        for n in range(5):
            await record(session, ALICE, "prescription.read", "prescription", f"p{n}")
        await record(session, KEY, "prescription.update", "prescription", "p1", {"field": "x"})
        await record(session, None, "login.failure", detail={"reason": "wrong_credentials"})


async def test_record_keeps_actor_target_and_detail(db: Database) -> None:
    await _fill(db)
    async with unit_of_work(db) as session:
        entries, _ = await list_entries(session, AuditFilter(), limit=50)
    newest = entries[0]
    assert (newest.actor_type, newest.actor_id, newest.action) == (
        "anonymous",
        None,
        "login.failure",
    )
    update = entries[1]
    assert (update.actor_type, update.actor_id, update.actor_name) == ("api_key", "k-1", "lab")
    assert update.detail == {"field": "x"} and update.target_id == "p1"
    assert update.occurred_at.tzinfo is not None


async def test_record_is_part_of_the_callers_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with unit_of_work(db) as session:
            await record(session, ALICE, "prescription.delete", "prescription", "p9")
            raise RuntimeError("the change failed")
    with pytest.raises(RuntimeError):
        async with unit_of_work(db) as session:
            await record_now(db, None, "login.failure")  # kept despite the rollback
            raise RuntimeError("the request failed")
    async with unit_of_work(db) as session:
        actions = list((await session.execute(select(AuditEntry.action))).scalars())
    assert actions == ["login.failure"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (AuditFilter(action="prescription.read"), 5),
        (AuditFilter(action="prescription."), 6),
        (AuditFilter(action="prescription"), 0),
        (AuditFilter(target_type="prescription", target_id="p1"), 2),
        (AuditFilter(actor="lab"), 1),
        (AuditFilter(actor="u-1"), 5),
        (AuditFilter(since=datetime.now(UTC) + timedelta(hours=1)), 0),
        (AuditFilter(until=datetime.now(UTC) + timedelta(hours=1)), 7),
    ],
)
async def test_filters(db: Database, filters: AuditFilter, expected: int) -> None:
    await _fill(db)
    async with unit_of_work(db) as session:
        entries, cursor = await list_entries(session, filters, limit=50)
    assert len(entries) == expected and cursor is None


async def test_keyset_pages_cover_everything_once_newest_first(db: Database) -> None:
    await _fill(db)
    seen: list[int] = []
    cursor: str | None = None
    async with unit_of_work(db) as session:
        total = (await session.execute(select(func.count()).select_from(AuditEntry))).scalar()
        while True:
            page, cursor = await list_entries(session, AuditFilter(), limit=3, cursor=cursor)
            seen.extend(entry.id for entry in page)
            if cursor is None:
                break
    assert len(seen) == total == 7
    assert seen == sorted(seen, reverse=True)


def test_cursor_round_trip_and_garbage() -> None:
    assert decode_cursor(encode_cursor(12345)) == 12345
    for bad in ("!!!", "bm90LWFuLWlk", encode_cursor(1)[:-1] + "$"):
        with pytest.raises(BadRequest, match="cursor is not valid"):
            decode_cursor(bad)
