"""Engines for real-process tests: they sleep a random time in a range, then answer the
same fields every time. Registered in app and worker processes through the
`scriptsensei.engines` entry point that `tests.support.processes` puts on their path."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Sequence

from scriptsensei.core.settings import Settings
from scriptsensei.extraction.engine import EngineResult, ExtractionSettings, PageImage
from tests.jobs.fake_engines import DEFAULT_VALUES, FakeEngine

ENGINE_NAMES = ("sleepy_a", "sleepy_b")
SECONDS_VARIABLE = "SCRIPTSENSEI_TEST_ENGINE_SECONDS"  # "0.1,0.3": sleep range
FIELDS_PER_RUN = len(DEFAULT_VALUES)


def sleep_range() -> tuple[float, float]:
    low, _, high = os.environ.get(SECONDS_VARIABLE, "0,0").partition(",")
    return float(low), float(high or low)


class RangeSleepyEngine(FakeEngine):
    async def extract(
        self, pages: Sequence[PageImage], settings: ExtractionSettings
    ) -> EngineResult:
        await asyncio.sleep(random.uniform(*sleep_range()))
        return await super().extract(pages, settings)


def plugin_engines(_settings: Settings) -> list[FakeEngine]:
    return [RangeSleepyEngine(name) for name in ENGINE_NAMES]
