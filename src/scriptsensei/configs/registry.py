"""The engine registry of this process: one a component (the workers, or a test)
published, else the engine catalog's (the settings with the admin's overrides applied)."""

from __future__ import annotations

from scriptsensei.core.runtime import Runtime
from scriptsensei.engine_settings.component import catalog_of
from scriptsensei.extraction.registry import EngineRegistry, EngineStatus


def engine_registry(runtime: Runtime) -> EngineRegistry:
    published = runtime.components.get("engines")
    if isinstance(published, EngineRegistry):
        return published
    return catalog_of(runtime).registry


def engine_statuses(runtime: Runtime) -> list[EngineStatus]:
    return engine_registry(runtime).statuses()
