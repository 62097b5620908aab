"""`/upload`: pick or drop many files, see thumbnails, choose a config or engines, then
"process all". Files go one request each to the JSON upload endpoint, for per-file
progress bars and per-file errors."""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.configs import service as configs
from scriptsensei.configs.registry import engine_statuses
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime
from scriptsensei.extraction.fields import FIELD_GROUPS
from scriptsensei.web.access import page_access
from scriptsensei.web.routing import page_router
from scriptsensei.web.templating import render

router = page_router()

PROCESS = page_access(Permission.PRESCRIPTIONS_PROCESS)
ACCEPTED_TYPES = ".png,.jpg,.jpeg,.tif,.tiff,.webp,.bmp,.gif,.heic,.pdf,image/*,application/pdf"


@router.get("/upload")
async def upload_page(
    request: Request,
    principal: Principal = Depends(PROCESS),
    session: AsyncSession = Depends(get_session, scope="function"),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    settings = runtime.settings
    context = {
        "title": "Upload",
        "configs": await configs.list_configs(session),
        "engines": engine_statuses(runtime),
        "groups": list(FIELD_GROUPS),
        "accept": ACCEPTED_TYPES,
        "max_file_bytes": settings.max_file_bytes,
    }
    return render(request, "upload.html", principal, context)
