"""Creating, changing and deleting extraction configs; exactly one default at a time.

Names are checked against the engine registry and the field list (400 with the reason);
prompts against `settings.max_custom_prompt_chars`. Functions flush only; each change is
audited and announced (`config_updated`) in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from scriptsensei.audit.service import AuditActor, record
from scriptsensei.configs.prompts import generic_selector
from scriptsensei.core.db import database_of
from scriptsensei.core.errors import BadRequest, Conflict, NotFound
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.extraction.fields import is_valid_selector
from scriptsensei.models import ExtractionConfig
from scriptsensei.prescriptions.run_config import check_engines, check_fields, check_prompts

UNSET: Any = object()


@dataclass(frozen=True)
class ConfigRules:
    known_engines: Collection[str]
    max_prompt_chars: int


@dataclass(frozen=True)
class ConfigChanges:
    """What to set; `None` for a threshold means "the settings' default", `UNSET` leaves
    a value as it is (for partial updates)."""

    name: str = UNSET
    selected_models: Sequence[str] = UNSET
    selected_fields: Sequence[str] = UNSET
    custom_prompts: Mapping[str, Any] | None = UNSET
    agreement_threshold: float | None = UNSET
    confidence_threshold: float | None = UNSET
    is_default: bool = UNSET


async def list_configs(session: AsyncSession) -> list[ExtractionConfig]:
    """The default first, then by name."""
    rows = await session.scalars(
        select(ExtractionConfig).order_by(
            ExtractionConfig.is_default.desc(), ExtractionConfig.name, ExtractionConfig.id
        )
    )
    return list(rows)


async def get_config(session: AsyncSession, config_id: str) -> ExtractionConfig:
    config = await session.get(ExtractionConfig, config_id)
    if config is None:
        raise NotFound(f"There is no extraction config with id '{config_id}'.")
    return config


def _checked(changes: ConfigChanges, rules: ConfigRules) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if changes.name is not UNSET:
        if not changes.name.strip():
            raise BadRequest("A config needs a name.")
        values["name"] = changes.name.strip()
    if changes.selected_models is not UNSET:
        if not changes.selected_models:
            raise BadRequest("Choose at least one engine in selectedModels.")
        values["selected_models"] = check_engines(changes.selected_models, rules.known_engines)
    if changes.selected_fields is not UNSET:
        values["selected_fields"] = check_fields(changes.selected_fields)
    if changes.custom_prompts is not UNSET:
        values["custom_prompts"] = check_prompts(
            changes.custom_prompts or {}, rules.max_prompt_chars
        )
    for name in ("agreement_threshold", "confidence_threshold"):
        value = getattr(changes, name)
        if value is not UNSET:
            if value is not None and not 0 <= value <= 1:
                raise BadRequest(f"{name} must be between 0 and 1.")
            values[name] = value
    return values


async def _clear_default(session: AsyncSession) -> None:
    """Unset the current default, serialised so two requests cannot both leave one."""
    if database_of(session).is_postgres:
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('extraction_configs_default'))")
        )
    await session.execute(
        update(ExtractionConfig)
        .where(ExtractionConfig.is_default.is_(True))
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )


async def _announce(
    session: AsyncSession,
    config: ExtractionConfig,
    action: str,
    actor: AuditActor,
    request: HTTPConnection | None,
) -> None:
    await record(
        session, actor, f"config.{action}", "config", config.id, {"name": config.name}, request
    )
    await publish(session, EventType.CONFIG_UPDATED, None, configId=config.id, action=action)


async def create_config(
    session: AsyncSession,
    changes: ConfigChanges,
    rules: ConfigRules,
    actor: AuditActor,
    request: HTTPConnection | None = None,
) -> ExtractionConfig:
    for required, label in (("name", "a name"), ("selected_models", "selectedModels")):
        if getattr(changes, required) is UNSET:
            raise BadRequest(f"A new config needs {label}.")
    values = _checked(changes, rules)
    values.setdefault("selected_fields", [])
    make_default = changes.is_default is not UNSET and bool(changes.is_default)
    if make_default:
        await _clear_default(session)
    config = ExtractionConfig(**values, is_default=make_default)
    session.add(config)
    await session.flush()
    await _announce(session, config, "create", actor, request)
    return config


async def update_config(
    session: AsyncSession,
    config_id: str,
    changes: ConfigChanges,
    rules: ConfigRules,
    actor: AuditActor,
    request: HTTPConnection | None = None,
) -> ExtractionConfig:
    config = await get_config(session, config_id)
    values = _checked(changes, rules)
    if changes.is_default is True and not config.is_default:
        await _clear_default(session)
        values["is_default"] = True
    elif changes.is_default is False and config.is_default:
        raise Conflict("Make another config the default instead of unsetting this one.")
    for name, value in values.items():
        setattr(config, name, value)
    await session.flush()
    await _announce(session, config, "update", actor, request)
    return config


async def set_default(
    session: AsyncSession, config_id: str, actor: AuditActor, request: HTTPConnection | None = None
) -> ExtractionConfig:
    config = await get_config(session, config_id)
    await _clear_default(session)
    config.is_default = True
    await session.flush()
    await _announce(session, config, "default", actor, request)
    return config


async def delete_config(
    session: AsyncSession, config_id: str, actor: AuditActor, request: HTTPConnection | None = None
) -> None:
    """Delete a config; runs keep their snapshot. The default cannot be deleted (409)."""
    config = await get_config(session, config_id)
    if config.is_default:
        raise Conflict("This is the default config; make another config the default first.")
    await _announce(session, config, "delete", actor, request)
    await session.delete(config)
    await session.flush()


async def reset_prompt(
    session: AsyncSession,
    config_id: str,
    selector: str,
    actor: AuditActor,
    request: HTTPConnection | None = None,
) -> ExtractionConfig:
    """Remove the config's custom prompt for a field or group: the built-in one applies."""
    if not is_valid_selector(selector):
        raise BadRequest(
            f"'{selector}' is not a field or group: use e.g. 'patientDetails.patientName', "
            "'medications.drugName' or 'vitals'."
        )
    config = await get_config(session, config_id)
    prompts = dict(config.custom_prompts or {})
    target = generic_selector(selector)
    kept = {key: text for key, text in prompts.items() if generic_selector(key) != target}
    if kept != prompts:
        config.custom_prompts = kept
        await session.flush()
        await _announce(session, config, "prompt_reset", actor, request)
    return config
