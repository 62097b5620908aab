"""Fixtures for the LLM engine tests: page images, engines bound to the fake endpoint."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from PIL import Image, ImageDraw

from scriptsensei.extraction.engine import PageImage
from scriptsensei.extraction.llm.engine import ChatCompletionsEngine
from scriptsensei.extraction.llm.retry import BackoffPolicy
from tests.fakes.fixtures import engine_settings_for, fake_llm, fake_llm_settings  # noqa: F401
from tests.fakes.openai_server import FakeOpenAIServer


def make_page(text: str = "Rx", *, index: int = 0, fmt: str = "PNG") -> PageImage:
    image = Image.new("RGB", (320, 400), "white")
    ImageDraw.Draw(image).text((20, 20), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    content_type = "image/png" if fmt == "PNG" else "image/jpeg"
    return PageImage(index, buffer.getvalue(), content_type, 320, 400)


class RecordingSleep:
    """Stands in for asyncio.sleep: the waits the engine asked for, without waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


EngineFactory = Callable[..., ChatCompletionsEngine]


@pytest.fixture
async def make_engine(
    fake_llm: FakeOpenAIServer,  # noqa: F811
    sleeps: RecordingSleep,
) -> AsyncIterator[EngineFactory]:
    """Engines talking to the fake endpoint; settings overridable per test."""
    made: list[ChatCompletionsEngine] = []

    def factory(
        engine_kwargs: dict[str, Any] | None = None, **overrides: Any
    ) -> ChatCompletionsEngine:
        cfg = engine_settings_for(fake_llm, **overrides)
        kwargs: dict[str, Any] = {
            "sleep": sleeps,
            "backoff": BackoffPolicy(base_seconds=0.5, cap_seconds=30),
        }
        kwargs.update(engine_kwargs or {})
        engine = ChatCompletionsEngine(cfg, **kwargs)
        made.append(engine)
        return engine

    yield factory
    for engine in made:
        await engine.aclose()
