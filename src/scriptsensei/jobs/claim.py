"""Claiming engine runs from the queue, and finding what falls due later.

On PostgreSQL a run is claimed with `FOR UPDATE SKIP LOCKED`, so any number of workers on
any number of hosts take different runs without waiting on each other; on SQLite the
single writer makes the same `UPDATE ... WHERE id = (SELECT ...)` atomic.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.models import EngineRun, ProcessingRun
from scriptsensei.models.types import UTCDateTime, utcnow


@dataclass(frozen=True)
class ClaimedRun:
    """An engine run this worker holds the lease of (for attempt number `attempt`)."""

    id: str
    processing_run_id: str
    prescription_id: str
    engine_name: str
    attempt: int
    max_attempts: int
    owner: str
    selected_fields: tuple[str, ...] = ()
    custom_prompts: dict[str, Any] = field(default_factory=dict)


_NOW = bindparam("now", type_=UTCDateTime())


def _not_cancelled() -> Any:
    return ~exists().where(
        ProcessingRun.id == EngineRun.processing_run_id, ProcessingRun.status == "cancelled"
    )


def _next_claimable(excluding: bool) -> Any:
    query = (
        select(EngineRun.id)
        .where(EngineRun.status == "queued", EngineRun.available_at <= _NOW, _not_cancelled())
        .order_by(EngineRun.priority.desc(), EngineRun.available_at, EngineRun.created_at)
        .limit(1)
        .with_for_update(skip_locked=True, of=EngineRun)
    )
    if excluding:
        query = query.where(EngineRun.engine_name.not_in(bindparam("excluded", expanding=True)))
    return query.scalar_subquery()


@cache
def _claim_statement(excluding: bool) -> Any:
    """Built once per shape: the claim runs for every engine of every prescription, and
    building a statement costs more than sending it."""
    return (
        update(EngineRun)
        .where(EngineRun.id == _next_claimable(excluding))
        .values(
            status="running",
            attempts=EngineRun.attempts + 1,
            lease_owner=bindparam("owner"),
            lease_expires_at=bindparam("lease_until", type_=UTCDateTime()),
            heartbeat_at=_NOW,
            started_at=func.coalesce(EngineRun.started_at, _NOW),
        )
        .returning(
            EngineRun.id,
            EngineRun.processing_run_id,
            EngineRun.prescription_id,
            EngineRun.engine_name,
            EngineRun.attempts,
            EngineRun.max_attempts,
        )
        .execution_options(synchronize_session=False)
    )


async def claim_next_run(
    session: AsyncSession, owner: str, lease_seconds: float, exclude_engines: Collection[str] = ()
) -> ClaimedRun | None:
    """Take the most urgent due run (skipping engines in `exclude_engines`), or None."""
    now = utcnow()
    params: dict[str, Any] = {
        "now": now,
        "owner": owner,
        "lease_until": now + timedelta(seconds=lease_seconds),
    }
    if exclude_engines:
        params["excluded"] = list(exclude_engines)
    claimed = await session.execute(_claim_statement(bool(exclude_engines)), params)
    row = claimed.first()
    if row is None:
        return None
    run_id, processing_run_id, prescription_id, engine_name, attempt, max_attempts = row
    return ClaimedRun(
        run_id, processing_run_id, prescription_id, engine_name, attempt, max_attempts, owner
    )


async def expired_lease_runs(session: AsyncSession) -> list[ClaimedRun]:
    """Running runs whose worker stopped renewing its lease (it crashed or hung), locked
    for this transaction so only one worker handles each."""
    rows = await session.execute(
        select(
            EngineRun.id,
            EngineRun.processing_run_id,
            EngineRun.prescription_id,
            EngineRun.engine_name,
            EngineRun.attempts,
            EngineRun.max_attempts,
            EngineRun.lease_owner,
        )
        .where(EngineRun.status == "running", EngineRun.lease_expires_at < utcnow())
        .with_for_update(skip_locked=True)
    )
    return [ClaimedRun(*row[:6], owner=row[6] or "") for row in rows]


async def cancel_runs_of_cancelled_requests(session: AsyncSession) -> int:
    """Queued engine runs whose processing run was cancelled end as cancelled."""
    cancelled = select(ProcessingRun.id).where(ProcessingRun.status == "cancelled")
    result = await session.execute(
        update(EngineRun)
        .where(EngineRun.status == "queued", EngineRun.processing_run_id.in_(cancelled))
        .values(status="cancelled", finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class DueMoments:
    lease_expiry: datetime | None  # another worker's lease running out
    retry: datetime | None  # a backed-off run becoming due

    def earliest(self) -> datetime | None:
        moments = [m for m in (self.lease_expiry, self.retry) if m is not None]
        return min(moments) if moments else None


async def next_due_at(session: AsyncSession, owner: str, since: datetime) -> DueMoments:
    """When a worker has something to do without being told. Both None: nothing will fall
    due, and an idle worker sleeps until notified. `since` is when the worker last looked
    for due runs: a run that fell due after that is returned (a moment in the past)."""
    # The worker's own leases count too: one whose outcome could not be written (the
    # database was away longer than a lease) is no longer renewed and must be reaped.
    lease = (
        select(func.min(EngineRun.lease_expires_at))
        .where(EngineRun.status == "running")
        .scalar_subquery()
    )
    retry = (
        select(func.min(EngineRun.available_at))
        .where(EngineRun.status == "queued", EngineRun.available_at > since)
        .scalar_subquery()
    )
    row = (await session.execute(select(lease, retry))).one()
    return DueMoments(row[0], row[1])


async def renew_leases(
    session: AsyncSession, owner: str, run_ids: Collection[str], lease_seconds: float
) -> set[str]:
    """Extend the leases this worker still holds; the ids missing from the answer were
    lost (cancelled, or taken over after this worker stalled past its lease)."""
    now = utcnow()
    result = await session.execute(
        update(EngineRun)
        .where(
            EngineRun.id.in_(list(run_ids)),
            EngineRun.lease_owner == owner,
            EngineRun.status == "running",
        )
        .values(heartbeat_at=now, lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(EngineRun.id)
        .execution_options(synchronize_session=False)
    )
    return {row[0] for row in result}
