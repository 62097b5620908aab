"""Engines as an admin sees them (the environment's declarations with the stored overrides
applied) and changing them: switched on or off, and for LLM engines the model id, the
endpoint and the prices. API keys stay in the environment; only whether the variable
that holds one is set is shown.

Functions flush only. A change is audited and announced (`engine_settings_updated`) in
the caller's transaction, and this process's catalog is reloaded once it has committed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from scriptsensei.audit.service import AuditActor, record
from scriptsensei.core.db import database_of
from scriptsensei.core.errors import BadRequest, NotFound
from scriptsensei.core.settings import LLMEngineSettings
from scriptsensei.core.transaction import on_commit
from scriptsensei.engine_settings.catalog import EngineCatalog
from scriptsensei.engine_settings.repository import load_rows, override_of, row_for
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.extraction.registry import EngineStatus, llm_declarations
from scriptsensei.models import EngineSetting

UNSET: Any = object()
MAX_MODEL_CHARS = 200
MAX_URL_CHARS = 2000
# Setting names as the API spells them, in the order the page shows them.
API_NAMES = {
    "enabled": "enabled",
    "model": "model",
    "base_url": "baseUrl",
    "input_price_per_mtok": "inputPricePerMTok",
    "output_price_per_mtok": "outputPricePerMTok",
}
LLM_SETTINGS = tuple(API_NAMES)
OTHER_SETTINGS = ("enabled",)


@dataclass(frozen=True)
class EngineChanges:
    """What to set: None gives a setting back to the environment, UNSET leaves it."""

    enabled: bool | None = UNSET
    model: str | None = UNSET
    base_url: str | None = UNSET
    input_price_per_mtok: float | None = UNSET
    output_price_per_mtok: float | None = UNSET

    def sent(self) -> dict[str, Any]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in values.items() if value is not UNSET}


@dataclass(frozen=True)
class EngineView:
    name: str
    kind: str
    version: str
    enabled: bool
    available: bool
    reason: str | None
    model: str | None
    base_url: str | None
    key_variable: str | None  # the environment variable holding the API key
    key_state: str  # "present", "missing" or "not needed"
    input_price_per_mtok: float | None
    output_price_per_mtok: float | None
    editable: tuple[str, ...]
    overridden: tuple[str, ...]  # settings the page set, instead of the environment
    updated_at: datetime | None
    updated_by: str | None


def _key_state(cfg: LLMEngineSettings) -> str:
    if not cfg.requires_key:
        return "not needed"
    present = cfg.api_key_env and os.environ.get(cfg.api_key_env, "").strip()
    return "present" if present else "missing"


def _view(
    status: EngineStatus, cfg: LLMEngineSettings | None, row: EngineSetting | None
) -> EngineView:
    editable = LLM_SETTINGS if cfg else OTHER_SETTINGS
    overridden = tuple(k for k in editable if row is not None and getattr(row, k) is not None)
    return EngineView(
        name=status.name,
        kind=status.kind,
        version=status.version,
        enabled=cfg.enabled if cfg else not (row and row.enabled is False),
        available=status.available,
        reason=status.reason,
        model=cfg.model if cfg else None,
        base_url=cfg.base_url if cfg else None,
        key_variable=cfg.api_key_env if cfg and cfg.requires_key else None,
        key_state=_key_state(cfg) if cfg else "not needed",
        input_price_per_mtok=cfg.input_price_per_mtok if cfg else None,
        output_price_per_mtok=cfg.output_price_per_mtok if cfg else None,
        editable=editable,
        overridden=overridden,
        updated_at=row.updated_at if row else None,
        updated_by=row.updated_by if row else None,
    )


async def engine_views(session: AsyncSession, catalog: EngineCatalog) -> list[EngineView]:
    """Every engine, as the stored overrides make it (whether or not this process has
    reloaded them yet)."""
    rows = await load_rows(session)
    overrides = {name: override_of(row) for name, row in rows.items()}
    declared = {cfg.name: cfg for cfg in llm_declarations(catalog.settings, overrides)}
    statuses = catalog.registry_for(overrides).statuses()
    return [_view(s, declared.get(s.name), rows.get(s.name)) for s in statuses]


def _unknown(name: str, catalog: EngineCatalog) -> NotFound:
    known = ", ".join(catalog.registry.names()) or "none"
    return NotFound(f"There is no engine named '{name}' (engines: {known}).")


async def engine_view(session: AsyncSession, catalog: EngineCatalog, name: str) -> EngineView:
    for view in await engine_views(session, catalog):
        if view.name == name:
            return view
    raise _unknown(name, catalog)


def _model(value: str) -> str:
    model = value.strip()
    if not model:
        raise BadRequest("The model id cannot be empty; send null to use the environment's.")
    if len(model) > MAX_MODEL_CHARS:
        raise BadRequest(f"The model id is longer than {MAX_MODEL_CHARS} characters.")
    return model


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None


def _endpoint(value: str) -> str:
    url = value.strip()
    parts = _split(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest(
            "The endpoint must be an http:// or https:// URL with a host, such as "
            "https://openrouter.ai/api/v1."
        )
    if parts.username or parts.password:
        raise BadRequest(
            "The endpoint must not hold credentials: the API key stays in the environment "
            "variable the engine names."
        )
    if len(url) > MAX_URL_CHARS:
        raise BadRequest(f"The endpoint is longer than {MAX_URL_CHARS} characters.")
    return url


def _price(name: str) -> Callable[[float], float]:
    def check(value: float) -> float:
        if not math.isfinite(value) or value < 0:
            raise BadRequest(
                f"{API_NAMES[name]} must be a number of 0 or more (US dollars per million tokens)."
            )
        return float(value)

    return check


CHECKS: dict[str, Callable[[Any], Any]] = {
    "enabled": bool,
    "model": _model,
    "base_url": _endpoint,
    "input_price_per_mtok": _price("input_price_per_mtok"),
    "output_price_per_mtok": _price("output_price_per_mtok"),
}


def _checked(name: str, changes: EngineChanges, editable: tuple[str, ...]) -> dict[str, Any]:
    sent = changes.sent()
    if not sent:
        raise BadRequest(f"Send at least one of: {', '.join(API_NAMES[k] for k in editable)}.")
    refused = [API_NAMES[key] for key in sent if key not in editable]
    if refused:
        raise BadRequest(
            f"'{name}' is not an LLM engine declared in SCRIPTSENSEI_LLM_ENGINES: only "
            f"enabled can be changed here, not {', '.join(refused)}."
        )
    return {key: None if value is None else CHECKS[key](value) for key, value in sent.items()}


async def update_engine(
    session: AsyncSession,
    catalog: EngineCatalog,
    name: str,
    changes: EngineChanges,
    actor: AuditActor,
    request: HTTPConnection | None = None,
) -> EngineView:
    if name not in catalog.registry:
        raise _unknown(name, catalog)
    is_llm = any(cfg.name == name for cfg in catalog.settings.llm_engines)
    values = _checked(name, changes, LLM_SETTINGS if is_llm else OTHER_SETTINGS)
    row = await row_for(session, name)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_by = actor.name
    await session.flush()
    detail = {API_NAMES[key]: value for key, value in values.items()}
    await record(session, actor, "engine.update", "engine", name, detail, request)
    await publish(session, EventType.ENGINE_SETTINGS_UPDATED, None, engine=name)
    db = database_of(session)
    on_commit(session, lambda: catalog.reload(db))
    return await engine_view(session, catalog, name)
