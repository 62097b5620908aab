"""`/api/configs` (the earlier app's paths, plus delete, set-default and prompt reset),
`/api/fields` (what a config can select, with the built-in prompts) and `/api/engines`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.api.responses import error_responses
from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.configs import service
from scriptsensei.configs.prompts import prompt_defaults
from scriptsensei.configs.registry import engine_statuses
from scriptsensei.configs.schemas import (
    ConfigCreate,
    ConfigOut,
    ConfigUpdate,
    EngineStatusOut,
    FieldPromptOut,
)
from scriptsensei.configs.service import ConfigRules
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime
from scriptsensei.prescriptions.context import engine_names

router = APIRouter(tags=["configs"])

READ = require(Permission.PRESCRIPTIONS_READ)
MANAGE = require(Permission.CONFIGS_MANAGE)


def _rules(runtime: Runtime) -> ConfigRules:
    return ConfigRules(engine_names(runtime), runtime.settings.max_custom_prompt_chars)


@router.get("/api/configs", response_model=list[ConfigOut], responses=error_responses())
async def list_configs(
    _: Principal = Depends(READ), session: AsyncSession = Depends(get_session, scope="function")
) -> list[ConfigOut]:
    return [ConfigOut.of(c) for c in await service.list_configs(session)]


@router.get("/api/configs/{config_id}", response_model=ConfigOut, responses=error_responses(404))
async def get_config(
    config_id: str,
    _: Principal = Depends(READ),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> ConfigOut:
    return ConfigOut.of(await service.get_config(session, config_id))


@router.post(
    "/api/configs",
    response_model=ConfigOut,
    status_code=201,
    summary="Create a config; engines and fields are checked against this server's",
    responses=error_responses(400, 422),
)
async def create_config(
    body: ConfigCreate,
    request: Request,
    principal: Principal = Depends(MANAGE),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> ConfigOut:
    config = await service.create_config(
        session, body.changes(), _rules(runtime), principal, request
    )
    return ConfigOut.of(config)


@router.put(
    "/api/configs/{config_id}",
    response_model=ConfigOut,
    summary="Change the keys sent; the others stay",
    responses=error_responses(400, 404, 409, 422),
)
async def update_config(
    config_id: str,
    body: ConfigUpdate,
    request: Request,
    principal: Principal = Depends(MANAGE),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> ConfigOut:
    config = await service.update_config(
        session, config_id, body.changes(), _rules(runtime), principal, request
    )
    return ConfigOut.of(config)


@router.post(
    "/api/configs/{config_id}/default",
    response_model=ConfigOut,
    summary="Make this the default config (the previous default stops being one)",
    responses=error_responses(404),
)
async def set_default(
    config_id: str,
    request: Request,
    principal: Principal = Depends(MANAGE),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> ConfigOut:
    return ConfigOut.of(await service.set_default(session, config_id, principal, request))


@router.delete(
    "/api/configs/{config_id}",
    status_code=204,
    summary="Delete a config (not the default); runs keep their own snapshot",
    responses=error_responses(404, 409),
)
async def delete_config(
    config_id: str,
    request: Request,
    principal: Principal = Depends(MANAGE),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> None:
    await service.delete_config(session, config_id, principal, request)


@router.delete(
    "/api/configs/{config_id}/prompts/{field}",
    response_model=ConfigOut,
    summary="Remove the config's custom prompt for a field or group: the built-in one applies",
    responses=error_responses(404),
)
async def reset_prompt(
    config_id: str,
    field: str,
    request: Request,
    principal: Principal = Depends(MANAGE),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> ConfigOut:
    config = await service.reset_prompt(session, config_id, field, principal, request)
    return ConfigOut.of(config)


@router.get(
    "/api/fields",
    response_model=list[FieldPromptOut],
    summary="Every group and field a config can select or prompt, with the built-in prompt",
    responses=error_responses(),
)
async def fields(_: Principal = Depends(READ)) -> list[FieldPromptOut]:
    return [FieldPromptOut.of(d) for d in prompt_defaults()]


@router.get(
    "/api/engines",
    response_model=list[EngineStatusOut],
    summary="The engines this server knows, and whether each can run here",
    responses=error_responses(),
)
async def engines(
    _: Principal = Depends(READ), runtime: Runtime = Depends(get_runtime)
) -> list[EngineStatusOut]:
    return [EngineStatusOut.of(s) for s in engine_statuses(runtime)]
