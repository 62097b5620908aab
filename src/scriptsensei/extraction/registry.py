"""Which engines exist, which can run on this machine, and why not.

Built-in engines are named in settings; third-party engines arrive through the
`scriptsensei.engines` entry-point group (each entry point is a callable taking the
settings and returning an Engine, or a list of them). An admin's overrides (switched on
or off; for LLM engines the model, endpoint and prices) are applied on top of those
declarations. A switched-off engine stays listed, so configs naming it stay valid, but
reports itself unavailable and never runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

import structlog

from scriptsensei.core.settings import LLMEngineSettings, Settings
from scriptsensei.extraction.engine import (
    Availability,
    Engine,
    EngineResult,
    ExtractionSettings,
    PageImage,
    PermanentEngineError,
)

log = structlog.get_logger(__name__)

ENTRY_POINT_GROUP = "scriptsensei.engines"
LOCAL_ENGINES: dict[str, str] = {
    "tesseract": "scriptsensei.extraction.ocr.tesseract:TesseractEngine",
    "rapidocr": "scriptsensei.extraction.ocr.rapid:RapidOCREngine",
}
LLM_ENGINE = "scriptsensei.extraction.llm.engine:ChatCompletionsEngine"
OFF_IN_SETTINGS = "switched off in Settings"
OFF_IN_ENVIRONMENT = "switched off in SCRIPTSENSEI_LLM_ENGINES"


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


@dataclass(frozen=True)
class EngineOverride:
    """An admin's changes to one declared engine; None keeps the environment's value."""

    enabled: bool | None = None
    model: str | None = None
    base_url: str | None = None
    input_price_per_mtok: float | None = None
    output_price_per_mtok: float | None = None

    def applied_to(self, declared: LLMEngineSettings) -> LLMEngineSettings:
        changes = {
            "enabled": self.enabled,
            "model": self.model,
            "base_url": self.base_url,
            "input_price_per_mtok": self.input_price_per_mtok,
            "output_price_per_mtok": self.output_price_per_mtok,
        }
        return declared.model_copy(update={k: v for k, v in changes.items() if v is not None})


class _SwitchedOffEngine:
    """Stands in for an engine that is switched off: listed, never run."""

    def __init__(self, engine: Engine, reason: str) -> None:
        self.engine = engine
        self.name = engine.name
        self.kind = engine.kind
        self.accepts = engine.accepts
        self._reason = reason

    @property
    def version(self) -> str:
        # Read lazily: a local engine's version imports its OCR library.
        return self.engine.version

    def availability(self) -> Availability:
        return Availability(False, self._reason)

    async def extract(
        self, pages: Sequence[PageImage], settings: ExtractionSettings
    ) -> EngineResult:
        raise PermanentEngineError(f"engine '{self.name}' is {self._reason}")


def _switched_off(engine: Engine, reason: str) -> Engine:
    # The protocol's `version` is a plain attribute; a read-only property serves as well.
    off: Engine = _SwitchedOffEngine(engine, reason)  # type: ignore[assignment]
    return off


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


def llm_declarations(
    settings: Settings, overrides: Mapping[str, EngineOverride]
) -> list[LLMEngineSettings]:
    """Every LLM engine the settings declare, with the admin's overrides applied."""
    return [
        overrides[cfg.name].applied_to(cfg) if cfg.name in overrides else cfg
        for cfg in settings.llm_engines
    ]


def _llm_engines(settings: Settings, overrides: Mapping[str, EngineOverride]) -> list[Engine]:
    try:
        factory: Callable[..., Engine] = _load_object(LLM_ENGINE)
    except (ImportError, AttributeError) as exc:
        return [_MissingEngine(c.name, "llm", f"cannot load: {exc}") for c in settings.llm_engines]  # type: ignore[misc]
    engines = []
    for cfg in llm_declarations(settings, overrides):
        engine = factory(cfg)
        if not cfg.enabled:
            by_admin = cfg.name in overrides and overrides[cfg.name].enabled is False
            engine = _switched_off(engine, OFF_IN_SETTINGS if by_admin else OFF_IN_ENVIRONMENT)
        engines.append(engine)
    return engines


def _switch(engines: list[Engine], overrides: Mapping[str, EngineOverride]) -> list[Engine]:
    """Local and plugin engines are on unless an admin switched them off."""
    return [
        _switched_off(e, OFF_IN_SETTINGS)
        if e.name in overrides and overrides[e.name].enabled is False
        else e
        for e in engines
    ]


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


def build_registry(
    settings: Settings, overrides: Mapping[str, EngineOverride] | None = None
) -> EngineRegistry:
    chosen = overrides or {}
    return EngineRegistry(
        [
            *_switch(_local_engines(settings), chosen),
            *_llm_engines(settings, chosen),
            *_switch(_plugin_engines(settings), chosen),
        ]
    )
