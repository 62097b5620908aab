"""`GET /api/health`: open to everyone (load balancers and the container health check)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from scriptsensei.core.http import get_runtime
from scriptsensei.core.runtime import Runtime
from scriptsensei.health.service import health_report

router = APIRouter(tags=["health"])


class DatabaseHealth(BaseModel):
    reachable: bool
    backend: str
    revision: str | None = None
    headRevision: str | None = None
    current: bool | None = None
    error: str | None = None


class HealthReport(BaseModel):
    model_config = {"extra": "allow"}

    status: str
    version: str
    uptimeSeconds: float
    database: DatabaseHealth


@router.get(
    "/api/health",
    response_model=HealthReport,
    responses={503: {"model": HealthReport, "description": "The database is unreachable."}},
)
async def health(runtime: Runtime = Depends(get_runtime)) -> Any:
    report = await health_report(runtime)
    status = 200 if report["status"] == "ok" else 503
    return JSONResponse(report, status_code=status)
