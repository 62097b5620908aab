"""`/settings` (admins): engines as the settings and the registry describe them, configs
(engines, fields, per-field prompts, thresholds, the default), users and roles, API keys.
Changes go through the JSON API from the page's script; engine settings live in the
environment and are shown read-only."""

from __future__ import annotations

import os
from dataclasses import dataclass

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from scriptsensei.auth.apikeys import list_api_keys
from scriptsensei.auth.permissions import Permission, Role
from scriptsensei.auth.principal import Principal
from scriptsensei.auth.users import list_users
from scriptsensei.configs import service as configs
from scriptsensei.configs.registry import engine_statuses
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.settings import Settings
from scriptsensei.extraction.fields import FIELD_GROUPS
from scriptsensei.web.access import page_access
from scriptsensei.web.routing import page_router
from scriptsensei.web.templating import render

router = page_router()

MANAGE = page_access(Permission.CONFIGS_MANAGE)


@dataclass(frozen=True)
class EngineSetting:
    name: str
    kind: str
    enabled: bool
    model: str | None
    endpoint: str | None
    key: str  # "present", "missing" or "not needed"
    price: str | None
    available: bool
    reason: str | None
    version: str


def _key_state(required: bool, env_name: str | None) -> str:
    if not required:
        return "not needed"
    return "present" if env_name and os.environ.get(env_name) else "missing"


def engine_settings(settings: Settings, runtime: Runtime) -> list[EngineSetting]:
    statuses = {s.name: s for s in engine_statuses(runtime)}
    out = []
    for llm in settings.llm_engines:
        status = statuses.get(llm.name)
        price = (
            f"${llm.input_price_per_mtok:g} in / ${llm.output_price_per_mtok:g} out per M tokens"
        )
        key = _key_state(llm.requires_key, llm.api_key_env)
        out.append(
            EngineSetting(
                llm.name, "llm", llm.enabled, llm.model, llm.base_url, key, price,
                bool(status and status.available), status.reason if status else None,
                status.version if status else "",
            )
        )  # fmt: skip
    for name, status in statuses.items():
        if all(e.name != name for e in out):
            out.append(
                EngineSetting(
                    name, status.kind, True, None, None, "not needed", "free (local)",
                    status.available, status.reason, status.version,
                )
            )  # fmt: skip
    return out


@router.get("/settings")
async def settings_page(
    request: Request,
    principal: Principal = Depends(MANAGE),
    session: AsyncSession = Depends(get_session, scope="function"),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    settings = runtime.settings
    context = {
        "title": "Settings",
        "engines": engine_settings(settings, runtime),
        "engine_names": [s.name for s in engine_statuses(runtime)],
        "configs": await configs.list_configs(session),
        "groups": FIELD_GROUPS,
        "defaults": {
            "agreement": settings.agreement_threshold,
            "confidence": settings.confidence_threshold,
        },
        "users": await list_users(session) if principal.can(Permission.USERS_MANAGE) else [],
        "keys": await list_api_keys(session) if principal.can(Permission.USERS_MANAGE) else [],
        "roles": [r.value for r in Role],
    }
    return render(request, "settings.html", principal, context)
