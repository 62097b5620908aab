"""Choosing engines by name and running them on one document (used by `extract` and `eval`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from scriptsensei.extraction.engine import (
    Engine,
    EngineError,
    EngineResult,
    ExtractionSettings,
    PageImage,
)
from scriptsensei.extraction.registry import EngineRegistry, UnknownEngineError


class EngineSelectionError(ValueError):
    """The engines asked for cannot run; the message says which and why."""


def select_engines(registry: EngineRegistry, names: Sequence[str]) -> list[Engine]:
    """The named engines (all available ones when none are named), each checked to run here."""
    if not names:
        chosen = [registry.get(name) for name in registry.available_names()]
        if not chosen:
            raise EngineSelectionError("no engine is available on this machine")
        return chosen
    engines = []
    for name in dict.fromkeys(names):
        try:
            engine = registry.get(name)
        except UnknownEngineError as exc:
            raise EngineSelectionError(str(exc)) from None
        availability = engine.availability()
        if not availability.available:
            raise EngineSelectionError(f"engine '{name}' is not available: {availability.reason}")
        engines.append(engine)
    return engines


async def run_engines(
    engines: Sequence[Engine], pages: Sequence[PageImage], settings: ExtractionSettings
) -> dict[str, EngineResult | EngineError]:
    """Every engine on the same pages, concurrently; an engine's failure is its result."""

    async def one(engine: Engine) -> EngineResult | EngineError:
        try:
            return await engine.extract(pages, settings)
        except EngineError as exc:
            return exc

    outcomes = await asyncio.gather(*(one(engine) for engine in engines))
    return {engine.name: outcome for engine, outcome in zip(engines, outcomes, strict=True)}


def result_json(outcome: EngineResult | EngineError) -> dict[str, Any]:
    """One engine's outcome in the JSON the CLI prints (camelCase, like the API)."""
    if isinstance(outcome, EngineError):
        return {"error": str(outcome), "transient": outcome.transient}
    return {
        "engineVersion": outcome.engine_version,
        "extractedData": outcome.extracted_data(),
        "confidence": {f.path: f.confidence for f in outcome.fields},
        "locations": {
            f.path: {"page": f.page, "bbox": f.bbox.as_dict() if f.bbox else None}
            for f in outcome.fields
            if f.value is not None and f.page is not None
        },
        "durationMs": round(outcome.duration_ms, 1),
        "inputTokens": outcome.input_tokens,
        "outputTokens": outcome.output_tokens,
        "costUsd": outcome.cost_usd,
    }
