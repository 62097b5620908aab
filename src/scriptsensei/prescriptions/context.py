"""What the prescription services need besides a session, built once from the runtime."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from scriptsensei.core.runtime import Runtime
from scriptsensei.core.settings import Settings
from scriptsensei.documents.component import storage_of
from scriptsensei.documents.storage import FileStorage
from scriptsensei.extraction.registry import build_registry
from scriptsensei.prescriptions.intake import IntakeContext

_ENGINE_NAMES = "engine_names"


@dataclass(frozen=True)
class ServiceContext:
    settings: Settings
    storage: FileStorage
    known_engines: Collection[str]  # names of the engine registry, to validate requests


def engine_names(runtime: Runtime) -> frozenset[str]:
    """The registry's engine names: from a registry component when one is running, else
    built from the settings once per runtime."""
    registry = runtime.components.get("engines") or runtime.components.get("engine_registry")
    if registry is not None and hasattr(registry, "names"):
        return frozenset(registry.names())
    names = runtime.components.get(_ENGINE_NAMES)
    if names is None:
        names = frozenset(build_registry(runtime.settings).names())
        runtime.components[_ENGINE_NAMES] = names
    return frozenset(names)


def service_context(runtime: Runtime) -> ServiceContext:
    return ServiceContext(runtime.settings, storage_of(runtime), engine_names(runtime))


def intake_context(runtime: Runtime) -> IntakeContext:
    return IntakeContext(runtime.db, storage_of(runtime), runtime.settings, engine_names(runtime))
