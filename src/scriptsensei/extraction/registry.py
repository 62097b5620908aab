"""Which engines exist, which can run on this machine, and why not.

Built-in engines are named in settings; third-party engines arrive through the
`scriptsensei.engines` entry-point group (each entry point is a callable taking the
settings and returning an Engine, or a list of them).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

import structlog

from scriptsensei.core.settings import Settings
from scriptsensei.extraction.engine import Availability, Engine

log = structlog.get_logger(__name__)

ENTRY_POINT_GROUP = "scriptsensei.engines"
LOCAL_ENGINES: dict[str, str] = {
    "tesseract": "scriptsensei.extraction.ocr.tesseract:TesseractEngine",
    "rapidocr": "scriptsensei.extraction.ocr.rapid:RapidOCREngine",
}
LLM_ENGINE = "scriptsensei.extraction.llm.engine:ChatCompletionsEngine"


class UnknownEngineError(KeyError):
    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = sorted(known)

    def __str__(self) -> str:
        return f"unknown engine '{self.name}' (known: {', '.join(self.known) or 'none'})"


@dataclass(frozen=True)
class EngineStatus:
    name: str
    kind: str
    version: str
    available: bool
    reason: str | None


class _MissingEngine:
    """Stands in for an engine whose code could not be imported, so the registry can say why."""

    def __init__(self, name: str, kind: str, reason: str) -> None:
        self.name = name
        self.version = "unavailable"
        self.kind = kind
        self.accepts: frozenset[str] = frozenset()
        self._reason = reason

    def availability(self) -> Availability:
        return Availability(False, self._reason)

    async def extract(self, pages: Any, settings: Any) -> Any:
        raise RuntimeError(self._reason)


def _load_object(ref: str) -> Any:
    module_name, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module_name), attr)


class EngineRegistry:
    def __init__(self, engines: Iterable[Engine]) -> None:
        self._engines: dict[str, Engine] = {}
        for engine in engines:
            if engine.name in self._engines:
                log.warning("engine_name_duplicate", engine=engine.name)
                continue
            self._engines[engine.name] = engine

    def names(self) -> list[str]:
        return list(self._engines)

    def __contains__(self, name: object) -> bool:
        return name in self._engines

    def get(self, name: str) -> Engine:
        try:
            return self._engines[name]
        except KeyError:
            raise UnknownEngineError(name, self._engines) from None

    def statuses(self) -> list[EngineStatus]:
        out = []
        for engine in self._engines.values():
            availability = engine.availability()
            out.append(
                EngineStatus(
                    engine.name,
                    engine.kind,
                    engine.version,
                    availability.available,
                    availability.reason,
                )
            )
        return out

    def available_names(self) -> list[str]:
        return [s.name for s in self.statuses() if s.available]


def _local_engines(settings: Settings) -> list[Engine]:
    engines: list[Engine] = []
    for name in settings.local_engines:
        ref = LOCAL_ENGINES.get(name)
        if ref is None:
            log.warning("local_engine_unknown", engine=name, known=sorted(LOCAL_ENGINES))
            continue
        try:
            engines.append(_load_object(ref)(settings))
        except (ImportError, AttributeError) as exc:
            engines.append(_MissingEngine(name, "ocr", f"cannot load: {exc}"))  # type: ignore[arg-type]
    return engines


def _llm_engines(settings: Settings) -> list[Engine]:
    try:
        factory: Callable[..., Engine] = _load_object(LLM_ENGINE)
    except (ImportError, AttributeError) as exc:
        return [_MissingEngine(c.name, "llm", f"cannot load: {exc}") for c in settings.llm_engines]  # type: ignore[misc]
    return [factory(cfg) for cfg in settings.llm_engines if cfg.enabled]


def _plugin_engines(settings: Settings) -> list[Engine]:
    engines: list[Engine] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            made = ep.load()(settings)
        except Exception as exc:  # a broken plugin must not take the app down
            log.warning("engine_plugin_failed", entry_point=ep.name, error=str(exc))
            continue
        engines.extend(made if isinstance(made, list) else [made])
    return engines


def build_registry(settings: Settings) -> EngineRegistry:
    return EngineRegistry(
        [*_local_engines(settings), *_llm_engines(settings), *_plugin_engines(settings)]
    )
