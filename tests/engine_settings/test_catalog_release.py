"""An engine replaced by a settings change closes its HTTP connections, but only once the
call it has in flight has ended."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scriptsensei.engine_settings.catalog import EngineCatalog
from scriptsensei.extraction.engine import ExtractionSettings
from scriptsensei.extraction.llm.engine import ChatCompletionsEngine
from scriptsensei.extraction.registry import EngineOverride
from tests.conftest import make_settings
from tests.extraction.llm.conftest import make_page
from tests.fakes.fixtures import engine_settings_for
from tests.fakes.openai_server import FakeOpenAIServer, slow


def _catalog(fake_llm: FakeOpenAIServer, tmp_path: Path) -> EngineCatalog:
    settings = make_settings(
        "sqlite+aiosqlite:///:memory:",
        tmp_path / "data",
        local_engines=[],
        llm_engines=[engine_settings_for(fake_llm, "vision")],
    )
    return EngineCatalog(settings)


def _vision(catalog: EngineCatalog) -> ChatCompletionsEngine:
    engine = catalog.registry.get("vision")
    assert isinstance(engine, ChatCompletionsEngine)
    return engine


async def _settle(catalog: EngineCatalog) -> None:
    for _ in range(50):
        await asyncio.sleep(0.01)
        if not catalog._closing:
            return


async def test_a_replaced_engine_closes_its_connections(
    fake_llm: FakeOpenAIServer, tmp_path: Path
) -> None:
    catalog = _catalog(fake_llm, tmp_path)
    old = _vision(catalog)
    await old.extract([make_page()], ExtractionSettings())
    assert old.client.connected
    catalog.apply({"vision": EngineOverride(model="fake/other")})
    await _settle(catalog)
    assert not old.client.connected
    new = _vision(catalog)
    assert new is not old and new.cfg.model == "fake/other"
    await new.aclose()


async def test_a_call_in_flight_finishes_before_its_engine_closes(
    fake_llm: FakeOpenAIServer, tmp_path: Path
) -> None:
    catalog = _catalog(fake_llm, tmp_path)
    old = _vision(catalog)
    fake_llm.enqueue(slow(1.0))
    running = asyncio.create_task(old.extract([make_page()], ExtractionSettings()))
    async with asyncio.timeout(10):
        while not fake_llm.requests:
            await asyncio.sleep(0.01)
    catalog.apply({"vision": EngineOverride(model="fake/other")})
    await _settle(catalog)
    assert old.client.connected  # the reply is still on its way
    result = await running
    assert result.fields and old.client.connected is False
    await _vision(catalog).aclose()
