"""`/queue`: every prescription in flight (and recent failures) with status, per-engine
progress, queue position and time elapsed; cancel, retry, reprocess, delete. Rows change
from live events; a new prescription's row is fetched as a fragment."""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.core.http import get_session
from scriptsensei.models import Prescription
from scriptsensei.prescriptions import service
from scriptsensei.prescriptions.listing import PrescriptionFilters, list_prescriptions
from scriptsensei.web.access import page_access
from scriptsensei.web.routing import page_router
from scriptsensei.web.templating import render

router = page_router()

READ = page_access(Permission.PRESCRIPTIONS_READ)
QUEUE_ROWS = 200
IN_FLIGHT = PrescriptionFilters(statuses=("queued", "processing"))
FAILED = PrescriptionFilters(statuses=("failed",))
RECENT_FAILURES = 50


def queue_positions(rows: list[Prescription]) -> dict[str, int]:
    """1 for the oldest queued prescription: workers take the oldest first."""
    queued = sorted((r for r in rows if r.processing_status == "queued"), key=_upload_order)
    return {row.id: index for index, row in enumerate(queued, start=1)}


def _upload_order(row: Prescription) -> tuple[str, str]:
    return (row.uploaded_at.isoformat(), row.id)


@router.get("/queue")
async def queue_page(
    request: Request,
    principal: Principal = Depends(READ),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    active = await list_prescriptions(session, IN_FLIGHT, limit=QUEUE_ROWS)
    failed = await list_prescriptions(session, FAILED, limit=RECENT_FAILURES)
    rows = sorted(active.items, key=_upload_order) + failed.items
    context = {
        "title": "Queue",
        "rows": rows,
        "positions": queue_positions(active.items),
        "truncated": active.next_cursor is not None,
    }
    return render(request, "queue.html", principal, context)


@router.get("/queue/rows/{prescription_id}")
async def queue_row(
    prescription_id: str,
    request: Request,
    principal: Principal = Depends(READ),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    """One row, for a prescription the page learnt about from a live event."""
    row = await service.require(session, prescription_id)
    context = {"row": row, "positions": {}}
    return render(request, "partials/queue_row.html", principal, context)
