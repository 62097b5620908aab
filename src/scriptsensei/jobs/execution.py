"""Running one claimed engine run: pages in, engine called, no transaction open meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError

from scriptsensei.extraction.engine import (
    Engine,
    EngineError,
    EngineResult,
    ExtractionSettings,
    PageImage,
    PermanentEngineError,
    TransientEngineError,
)
from scriptsensei.extraction.registry import EngineRegistry
from scriptsensei.jobs.claim import ClaimedRun
from scriptsensei.jobs.pages import PageSource

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class EngineFailure:
    error: str
    transient: bool
    retry_after: float | None = None


def engine_for(registry: EngineRegistry, name: str) -> Engine:
    """The engine to run, or a permanent error saying why it cannot run here."""
    if name not in registry:
        known = ", ".join(registry.names()) or "none"
        raise PermanentEngineError(f"engine '{name}' is not configured (configured: {known})")
    engine = registry.get(name)
    availability = engine.availability()
    if not availability.available:
        raise PermanentEngineError(f"engine '{name}' is unavailable: {availability.reason}")
    return engine


def _prompts(custom: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in custom.items() if isinstance(v, str) and v.strip()}


async def _load_pages(pages: PageSource, prescription_id: str) -> list[PageImage]:
    """The pages, or a transient error when the database or storage is briefly unreachable
    (that is no fault of the engine, and the run is retried later)."""
    try:
        return await pages.pages_for(prescription_id)
    except EngineError:
        raise
    except FileNotFoundError as exc:
        raise PermanentEngineError(f"a stored page image is missing: {exc}") from exc
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        message = f"could not load the page images: {type(exc).__name__}: {exc}"
        raise TransientEngineError(message) from exc


async def run_engine(
    registry: EngineRegistry, pages: PageSource, claimed: ClaimedRun
) -> EngineResult | EngineFailure:
    """The engine's result, or why it failed (transient errors are retried later)."""
    try:
        engine = engine_for(registry, claimed.engine_name)
        images = await _load_pages(pages, claimed.prescription_id)
        settings = ExtractionSettings(claimed.selected_fields, _prompts(claimed.custom_prompts))
        return await engine.extract(images, settings)
    except EngineError as exc:
        return EngineFailure(str(exc) or type(exc).__name__, exc.transient, exc.retry_after)
    except Exception as exc:  # an engine's bug fails its run, never the worker
        log.exception("engine_crashed", engine=claimed.engine_name, run=claimed.id)
        return EngineFailure(f"{type(exc).__name__}: {exc}", transient=False)
