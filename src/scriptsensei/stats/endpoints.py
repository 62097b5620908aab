"""`GET /api/stats`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.api.filters import parse_moment
from scriptsensei.api.responses import error_responses
from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.core.http import get_session
from scriptsensei.stats.service import EngineFigures, Stats, collect

router = APIRouter(tags=["stats"])


class EngineStatsOut(BaseModel):
    name: str
    runs: int
    succeeded: int
    failed: int
    active: int = Field(description="Queued or running now")
    successRate: float | None = Field(description="succeeded / (succeeded + failed)")
    meanDurationMs: float | None
    meanCostUsd: float | None
    totalCostUsd: float

    @classmethod
    def of(cls, f: EngineFigures) -> EngineStatsOut:
        return cls(
            name=f.name,
            runs=f.runs,
            succeeded=f.succeeded,
            failed=f.failed,
            active=f.active,
            successRate=f.success_rate,
            meanDurationMs=f.mean_duration_ms,
            meanCostUsd=f.mean_cost_usd,
            totalCostUsd=f.total_cost_usd,
        )


class StatsOut(BaseModel):
    total: int
    byStatus: dict[str, int]
    byReviewStatus: dict[str, int]
    reviewBacklog: int = Field(description="Prescriptions waiting for review")
    fieldsNeedingReview: int
    engines: list[EngineStatsOut]

    @classmethod
    def of(cls, s: Stats) -> StatsOut:
        return cls(
            total=s.total,
            byStatus=s.by_status,
            byReviewStatus=s.by_review_status,
            reviewBacklog=s.review_backlog,
            fieldsNeedingReview=s.fields_needing_review,
            engines=[EngineStatsOut.of(e) for e in s.engines],
        )


@router.get(
    "/api/stats",
    response_model=StatsOut,
    summary="Counts per status, per-engine success, time and cost, review backlog",
    responses=error_responses(400, 422),
)
async def stats(
    since: str | None = Query(None, max_length=40, description="Engine figures from this time"),
    _: Principal = Depends(require(Permission.PRESCRIPTIONS_READ)),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> StatsOut:
    return StatsOut.of(await collect(session, parse_moment(since, "since")))
