"""`GET /api/audit`: the audit log for admins, newest first, by keyset pages."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.audit.schemas import AuditEntryOut, AuditPage
from scriptsensei.audit.service import AuditFilter, list_entries
from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.auth.schemas import error_responses
from scriptsensei.core.http import get_session

router = APIRouter(tags=["audit"])


@router.get(
    "/api/audit",
    response_model=AuditPage,
    summary="Audit entries, newest first; pass nextCursor as cursor for the next page",
    responses=error_responses(400, 401, 403, 422),
)
async def audit_log(
    response: Response,
    action: str | None = Query(None, description="Exact action, or a prefix ending in '.'"),
    targetType: str | None = Query(None),
    targetId: str | None = Query(None),
    actor: str | None = Query(None, description="An actor's id or name"),
    since: datetime | None = Query(None, description="From this time (inclusive)"),
    until: datetime | None = Query(None, description="Up to this time (exclusive)"),
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, max_length=64),
    _: Principal = Depends(require(Permission.AUDIT_VIEW)),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> AuditPage:
    filters = AuditFilter(action, targetType, targetId, actor, since, until)
    entries, next_cursor = await list_entries(session, filters, limit, cursor)
    if next_cursor:
        response.headers["X-Next-Cursor"] = next_cursor
    return AuditPage(items=[AuditEntryOut.of(e) for e in entries], nextCursor=next_cursor)
