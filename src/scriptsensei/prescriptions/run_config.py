"""Turning a request to process (the earlier app's `selectedModels` / `customPrompts`, plus
fields and a config id) into the RunRequest snapshot the queue stores.

Values the caller gives are validated strictly (unknown engine or field: 400). Values taken
from a config are filtered instead, so that a config naming an engine this deployment does
not have (the earlier app's default names `openai`, `claude`, `gemini`) cannot block uploads.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.errors import BadRequest, NotFound, ServiceUnavailable
from scriptsensei.core.settings import Settings
from scriptsensei.extraction.fields import is_valid_selector
from scriptsensei.jobs.queue import RunRequest
from scriptsensei.models import ExtractionConfig
from scriptsensei.prescriptions import repository

log = structlog.get_logger(__name__)


def _unique(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))


def check_engines(names: Sequence[str], known: Collection[str]) -> list[str]:
    engines = _unique([str(n) for n in names])
    unknown = [n for n in engines if n not in known]
    if unknown:
        raise BadRequest(
            f"Unknown engine {', '.join(repr(n) for n in unknown)}. "
            f"Available engines: {', '.join(sorted(known)) or 'none'}."
        )
    return engines


def check_fields(selectors: Sequence[str]) -> list[str]:
    fields = _unique([str(s) for s in selectors])
    invalid = [s for s in fields if not is_valid_selector(s)]
    if invalid:
        raise BadRequest(
            f"Unknown field {', '.join(repr(s) for s in invalid)}: use a group such as "
            "'patientDetails', a field such as 'patientDetails.patientName' or "
            "'medications.drugName'."
        )
    return fields


def check_prompts(prompts: Mapping[str, Any], max_chars: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for selector, text in prompts.items():
        if not isinstance(text, str):
            raise BadRequest(f"The custom prompt for '{selector}' must be text.")
        if not is_valid_selector(selector):
            raise BadRequest(f"A custom prompt names '{selector}', which is not a field.")
        if len(text) > max_chars:
            raise BadRequest(
                f"The custom prompt for '{selector}' is {len(text)} characters long; "
                f"the limit is {max_chars}."
            )
        out[selector] = text
    return out


def _config_engines(
    config: ExtractionConfig | None, settings: Settings, known: Collection[str]
) -> list[str]:
    wanted = list(config.selected_models) if config and config.selected_models else []
    engines = [n for n in _unique(wanted) if n in known]
    if wanted and len(engines) < len(_unique(wanted)):
        log.warning(
            "config_engines_unknown",
            config=config and config.id,
            dropped=sorted(set(wanted) - set(engines)),
        )
    if not engines:
        engines = [n for n in _unique(settings.local_engines) if n in known]
    if not engines:
        raise ServiceUnavailable(
            "No extraction engine is configured on this server; an administrator must "
            "enable at least one engine."
        )
    return engines


async def _load_config(session: AsyncSession, config_id: str | None) -> ExtractionConfig | None:
    if config_id is None:
        return await repository.default_config(session)
    config = await session.get(ExtractionConfig, config_id)
    if config is None:
        raise NotFound(f"There is no extraction config with id '{config_id}'.")
    return config


async def resolve_run_request(
    session: AsyncSession,
    settings: Settings,
    selected_models: Sequence[str] | None = None,
    custom_prompts: Mapping[str, Any] | None = None,
    fields: Sequence[str] | None = None,
    config_id: str | None = None,
    *,
    known_engines: Collection[str],
    reason: str = "process",
    requested_by: str | None = None,
) -> RunRequest:
    """The run to enqueue. Anything not given comes from the config (`config_id`, else the
    default config), then from settings. `known_engines`: the engine registry's names."""
    config = await _load_config(session, config_id)
    if selected_models:
        engines = check_engines(selected_models, known_engines)
    else:
        engines = _config_engines(config, settings, known_engines)
    return RunRequest(
        engines=engines,
        fields=_fields(fields, config),
        custom_prompts=_prompts(custom_prompts, config, settings.max_custom_prompt_chars),
        agreement_threshold=_threshold(
            config.agreement_threshold if config else None, settings.agreement_threshold
        ),
        confidence_threshold=_threshold(
            config.confidence_threshold if config else None, settings.confidence_threshold
        ),
        config_id=config.id if config else None,
        reason=reason,
        requested_by=requested_by,
        max_attempts=settings.run_max_attempts,
    )


def _fields(given: Sequence[str] | None, config: ExtractionConfig | None) -> list[str]:
    if given is not None:
        return check_fields(given)
    wanted = list(config.selected_fields or []) if config else []
    return [s for s in _unique(wanted) if is_valid_selector(s)]


def _prompts(
    given: Mapping[str, Any] | None, config: ExtractionConfig | None, max_chars: int
) -> dict[str, str]:
    if given is not None:
        return check_prompts(given, max_chars)
    stored = (config.custom_prompts or {}) if config else {}
    return {k: v for k, v in stored.items() if isinstance(v, str) and is_valid_selector(k)}


def _threshold(configured: float | None, default: float) -> float:
    return default if configured is None else float(configured)
