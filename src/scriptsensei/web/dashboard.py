"""`/`: counts per status, the review backlog, today's throughput, engines and their
health, and the live queue."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from scriptsensei.accuracy.throughput import finished_since
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.configs.registry import engine_statuses
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime
from scriptsensei.prescriptions.listing import PrescriptionFilters, list_prescriptions
from scriptsensei.stats.service import collect
from scriptsensei.web.access import page_access
from scriptsensei.web.routing import page_router
from scriptsensei.web.templating import render

router = page_router()

READ = page_access(Permission.PRESCRIPTIONS_READ)
IN_FLIGHT = PrescriptionFilters(statuses=("queued", "processing"))
LIVE_QUEUE_ROWS = 10


def _midnight() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@router.get("/")
async def dashboard(
    request: Request,
    principal: Principal = Depends(READ),
    session: AsyncSession = Depends(get_session, scope="function"),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    stats = await collect(session, since=_midnight())
    queue = await list_prescriptions(session, IN_FLIGHT, limit=LIVE_QUEUE_ROWS)
    context = {
        "title": "Dashboard",
        "stats": stats,
        "today": await finished_since(session, _midnight()),
        "engines": engine_statuses(runtime),
        "figures": {f.name: f for f in stats.engines},
        "queue": queue.items,
        "queue_more": queue.next_cursor is not None,
    }
    return render(request, "dashboard.html", principal, context)
