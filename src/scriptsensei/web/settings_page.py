"""`/settings` (admins): engines (switched on or off; for LLM engines the model, endpoint
and prices, over the environment's declarations), configs (engines, fields, per-field
prompts with the built-in ones shown, thresholds, the default), users and API keys.
Changes go through the JSON API from the page's script."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from scriptsensei.auth.apikeys import list_api_keys
from scriptsensei.auth.permissions import Permission, Role
from scriptsensei.auth.principal import Principal
from scriptsensei.auth.users import list_users
from scriptsensei.configs import service as configs
from scriptsensei.configs.prompts import PromptDefault, generic_selector, prompt_defaults
from scriptsensei.configs.registry import engine_statuses
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime
from scriptsensei.engine_settings.component import catalog_of
from scriptsensei.engine_settings.service import engine_views
from scriptsensei.extraction.fields import FIELD_GROUPS
from scriptsensei.models import ExtractionConfig
from scriptsensei.web.access import page_access
from scriptsensei.web.routing import page_router
from scriptsensei.web.templating import render

router = page_router()

MANAGE = page_access(Permission.CONFIGS_MANAGE)


def prompts_by_group() -> dict[str, list[PromptDefault]]:
    """Each group's note first, then its fields."""
    grouped: dict[str, list[PromptDefault]] = {}
    for default in prompt_defaults():
        grouped.setdefault(default.group, []).append(default)
    return grouped


def custom_prompts(config: ExtractionConfig | None) -> dict[str, str]:
    """The config's prompts keyed as the page shows them (one key per medication field)."""
    stored = (config.custom_prompts or {}) if config else {}
    return {generic_selector(k): v for k, v in stored.items() if isinstance(v, str)}


async def _people(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    if not principal.can(Permission.USERS_MANAGE):
        return {"users": [], "keys": []}
    return {"users": await list_users(session), "keys": await list_api_keys(session)}


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
        "engines": await engine_views(session, catalog_of(runtime)),
        "declared": {cfg.name: cfg for cfg in settings.llm_engines},
        "engine_names": [s.name for s in engine_statuses(runtime)],
        "configs": await configs.list_configs(session),
        "groups": FIELD_GROUPS,
        "prompt_rows": prompts_by_group(),
        "custom_prompts": custom_prompts,
        "defaults": {
            "agreement": settings.agreement_threshold,
            "confidence": settings.confidence_threshold,
        },
        "roles": [r.value for r in Role],
        **await _people(session, principal),
    }
    return render(request, "settings.html", principal, context)
