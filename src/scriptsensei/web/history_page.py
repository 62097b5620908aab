"""`/history`: every prescription, filtered (status, dates, engine, needs review, text),
newest first with keyset pages ("Older" follows the cursor). Selected rows can be
exported, deleted or reprocessed through the JSON API from the page's script. Each page
shown is one audit entry (the rows carry patients' names)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from scriptsensei.api.filters import prescription_filters
from scriptsensei.audit.service import record_list_read
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.configs.registry import engine_statuses
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime
from scriptsensei.prescriptions.listing import PrescriptionFilters, list_prescriptions
from scriptsensei.web.access import page_access
from scriptsensei.web.routing import page_router
from scriptsensei.web.templating import render

router = page_router()

READ = page_access(Permission.PRESCRIPTIONS_READ)
PAGE_SIZE = 50
FILTER_KEYS = ("status", "from", "to", "engine", "needsReview", "q")


def _filter_query(request: Request) -> dict[str, str]:
    return {k: v for k in FILTER_KEYS if (v := request.query_params.get(k, "").strip())}


@router.get("/history")
async def history_page(
    request: Request,
    cursor: str | None = Query(None, max_length=200),
    principal: Principal = Depends(READ),
    filters: PrescriptionFilters = Depends(prescription_filters),
    session: AsyncSession = Depends(get_session, scope="function"),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    page = await list_prescriptions(session, filters, cursor, PAGE_SIZE)
    rows = len(page.items)
    await record_list_read(
        session, principal, "history-page", filters, rows, request, cursor=cursor
    )
    query = _filter_query(request)
    next_url = f"/history?{urlencode({**query, 'cursor': page.next_cursor})}"
    context = {
        "title": "History",
        "rows": page.items,
        "query": query,
        "next_url": next_url if page.next_cursor else None,
        "first_url": f"/history?{urlencode(query)}" if cursor else None,
        "engines": [s.name for s in engine_statuses(runtime)],
        "export_query": urlencode(query),
        "can_export": principal.can(Permission.EXPORT),
        "can_delete": principal.can(Permission.PRESCRIPTIONS_DELETE),
        "can_process": principal.can(Permission.PRESCRIPTIONS_PROCESS),
    }
    return render(request, "history.html", principal, context)
