"""Counting queries behind `GET /api/stats` (aggregates over indexed columns only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from scriptsensei.models import EngineRun, Prescription

STATUSES = ("queued", "processing", "completed", "failed")
REVIEW_STATUSES = ("none", "pending", "reviewed", "approved")


@dataclass(frozen=True)
class EngineFigures:
    name: str
    runs: int
    succeeded: int
    failed: int
    active: int  # queued or running
    mean_duration_ms: float | None  # of finished runs
    mean_cost_usd: float | None  # of runs with a known cost
    total_cost_usd: float

    @property
    def success_rate(self) -> float | None:
        finished = self.succeeded + self.failed
        return round(self.succeeded / finished, 4) if finished else None


@dataclass
class Stats:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_review_status: dict[str, int] = field(default_factory=dict)
    fields_needing_review: int = 0
    engines: list[EngineFigures] = field(default_factory=list)

    @property
    def review_backlog(self) -> int:
        return self.by_review_status.get("pending", 0)


async def _counts(
    session: AsyncSession, column: InstrumentedAttribute[str], keys: tuple[str, ...]
) -> dict[str, int]:
    rows = await session.execute(select(column, func.count()).group_by(column))
    found = {str(key): int(count) for key, count in rows}
    return {**dict.fromkeys(keys, 0), **found}


def _count_when(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


async def engine_figures(
    session: AsyncSession, since: datetime | None = None
) -> list[EngineFigures]:
    finished = EngineRun.status.in_(("succeeded", "failed"))
    query = select(
        EngineRun.engine_name,
        func.count(),
        _count_when(EngineRun.status == "succeeded"),
        _count_when(EngineRun.status == "failed"),
        _count_when(EngineRun.status.in_(("queued", "running"))),
        func.avg(case((finished, EngineRun.duration_ms), else_=None)),
        func.avg(EngineRun.cost_usd),
        func.coalesce(func.sum(EngineRun.cost_usd), 0),
    ).group_by(EngineRun.engine_name)
    if since is not None:
        query = query.where(EngineRun.created_at >= since)
    rows = await session.execute(query.order_by(EngineRun.engine_name))
    return [_figures(tuple(row)) for row in rows]


def _rounded(value: Any, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _figures(row: tuple[Any, ...]) -> EngineFigures:
    name, runs, ok, bad, active, mean_ms, mean_cost, total = row
    return EngineFigures(
        name=str(name),
        runs=int(runs),
        succeeded=int(ok or 0),
        failed=int(bad or 0),
        active=int(active or 0),
        mean_duration_ms=_rounded(mean_ms, 3),
        mean_cost_usd=_rounded(mean_cost, 6),
        total_cost_usd=_rounded(total, 6) or 0.0,
    )


async def collect(session: AsyncSession, since: datetime | None = None) -> Stats:
    by_status = await _counts(session, Prescription.processing_status, STATUSES)
    needing = await session.scalar(
        select(func.coalesce(func.sum(Prescription.fields_needing_review), 0))
    )
    return Stats(
        total=sum(by_status.values()),
        by_status=by_status,
        by_review_status=await _counts(session, Prescription.review_status, REVIEW_STATUSES),
        fields_needing_review=int(needing or 0),
        engines=await engine_figures(session, since),
    )
