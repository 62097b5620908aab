"""`GET /api/admin/guard` and `POST /api/admin/guard/confirm` for administrators."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.api.responses import error_responses
from scriptsensei.audit.service import record
from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime
from scriptsensei.guard.component import COMPONENT_NAME, writes_refused
from scriptsensei.guard.service import adopt

router = APIRouter(tags=["operations"])


class GuardStatus(BaseModel):
    engaged: bool
    reason: str | None = None


@router.get(
    "/api/admin/guard",
    response_model=GuardStatus,
    summary="Whether writes are refused until an administrator confirms the data",
    responses=error_responses(),
)
async def guard_status(
    runtime: Runtime = Depends(get_runtime),
    _principal: Principal = Depends(require(Permission.BACKUPS_MANAGE)),
) -> GuardStatus:
    reason = writes_refused(runtime)
    return GuardStatus(engaged=reason is not None, reason=reason)


@router.post(
    "/api/admin/guard/confirm",
    response_model=GuardStatus,
    summary="Adopt the database and file store as they are; writes are accepted again",
    responses=error_responses(),
)
async def guard_confirm(
    request: Request,
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
    principal: Principal = Depends(require(Permission.BACKUPS_MANAGE)),
) -> GuardStatus:
    previous = writes_refused(runtime)
    await adopt(session, runtime.settings.storage_dir)
    await record(
        session, principal, "guard.confirm", "instance", None, {"reason": previous}, request
    )
    runtime.components.pop(COMPONENT_NAME, None)
    return GuardStatus(engaged=False)
