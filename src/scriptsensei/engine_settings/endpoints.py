"""`/api/engines/{name}`: an engine's settings as an admin sees and changes them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.api.responses import error_responses
from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime
from scriptsensei.engine_settings import service
from scriptsensei.engine_settings.component import catalog_of
from scriptsensei.engine_settings.schemas import EngineSettingsOut, EngineSettingsUpdate

router = APIRouter(tags=["engines"])

MANAGE = require(Permission.CONFIGS_MANAGE)


@router.get(
    "/api/engines/{name}",
    response_model=EngineSettingsOut,
    summary="An engine's settings: the environment's, with this page's changes applied",
    responses=error_responses(404),
)
async def get_engine(
    name: str,
    _: Principal = Depends(MANAGE),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> EngineSettingsOut:
    return EngineSettingsOut.of(await service.engine_view(session, catalog_of(runtime), name))


@router.put(
    "/api/engines/{name}",
    response_model=EngineSettingsOut,
    summary="Change the keys sent (null: back to the environment's value); every process "
    "uses the change for the runs it claims next",
    responses=error_responses(404, 422),
)
async def update_engine(
    name: str,
    body: EngineSettingsUpdate,
    request: Request,
    principal: Principal = Depends(MANAGE),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> EngineSettingsOut:
    view = await service.update_engine(
        session, catalog_of(runtime), name, body.changes(), principal, request
    )
    return EngineSettingsOut.of(view)
