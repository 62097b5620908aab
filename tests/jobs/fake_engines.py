"""Engines for queue tests: fast, deterministic, scripted to fail, hang or succeed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from scriptsensei.core.settings import Settings
from scriptsensei.extraction.engine import (
    Availability,
    EngineKind,
    EngineResult,
    ExtractionSettings,
    FieldValue,
    PageImage,
)

DEFAULT_VALUES: dict[str, str | None] = {
    "patientDetails.patientName": "Ravi Kumar",
    "patientDetails.age": "45",
    "medications.0.drugName": "Paracetamol",
    "medications.0.strength": "500 mg",
    "medications.0.frequency": "BD",
}


@dataclass
class FakeEngine:
    """Returns `values` for every prescription. `script` holds what the first calls do
    instead: an exception to raise, or None to succeed; `gate`, when given, holds every
    call until it is set; `available=False` makes the engine unavailable."""

    name: str
    values: dict[str, str | None] = field(default_factory=lambda: dict(DEFAULT_VALUES))
    kind: EngineKind = "llm"
    confidence: float | None = 0.9
    script: list[BaseException | None] = field(default_factory=list)
    gate: asyncio.Event | None = None
    available: bool = True
    version: str = "fake-1"
    accepts: frozenset[str] = frozenset({"image/png", "image/jpeg"})
    calls: list[tuple[int, ExtractionSettings]] = field(default_factory=list)

    def availability(self) -> Availability:
        return Availability(self.available, None if self.available else "switched off in test")

    async def extract(
        self, pages: Sequence[PageImage], settings: ExtractionSettings
    ) -> EngineResult:
        self.calls.append((len(pages), settings))
        if self.gate is not None:
            await self.gate.wait()
        if self.script:
            step = self.script.pop(0)
            if step is not None:
                raise step
        fields = [FieldValue(p, v, self.confidence, page=0) for p, v in self.values.items()]
        return EngineResult(self.name, self.version, fields, {"fake": True}, duration_ms=1.0)


class SleepyEngine(FakeEngine):
    """For worker processes: sleeps `FAKE_ENGINE_SECONDS` before answering."""

    async def extract(
        self, pages: Sequence[PageImage], settings: ExtractionSettings
    ) -> EngineResult:
        await asyncio.sleep(float(os.environ.get("FAKE_ENGINE_SECONDS", "0")))
        return await super().extract(pages, settings)


def plugin_engines(_settings: Settings) -> list[FakeEngine]:
    """The `scriptsensei.engines` entry point that worker processes in tests load."""
    return [SleepyEngine("sleepy")]
