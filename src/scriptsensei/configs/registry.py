"""The engine registry of this process, built once from the settings unless a component
(the workers, or a test) published one."""

from __future__ import annotations

from scriptsensei.core.runtime import Runtime
from scriptsensei.extraction.registry import EngineRegistry, EngineStatus, build_registry

_CACHE = "engine_registry"


def engine_registry(runtime: Runtime) -> EngineRegistry:
    for name in ("engines", _CACHE):
        found = runtime.components.get(name)
        if isinstance(found, EngineRegistry):
            return found
    registry = build_registry(runtime.settings)
    runtime.components[_CACHE] = registry
    return registry


def engine_statuses(runtime: Runtime) -> list[EngineStatus]:
    return engine_registry(runtime).statuses()
