"""Every engine in the registry honours the engine contract on a drawn prescription.

Local OCR engines run for real; LLM engines talk to a real local HTTP server speaking
OpenAI chat completions (tests/fakes), which answers the page's truth with some
deterministic misreads and token log-probabilities.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from scriptsensei.core.settings import Settings
from scriptsensei.extraction.cpu_pool import shutdown_shared_pools
from scriptsensei.extraction.engine import Engine, EngineResult, ExtractionSettings
from scriptsensei.extraction.fields import flatten, scalar_paths
from scriptsensei.extraction.normalize import normalize_value
from scriptsensei.extraction.registry import LOCAL_ENGINES, EngineRegistry, build_registry
from tests.extraction.ocr.drawn import TRUTH, as_page, draw_page
from tests.fakes.fixtures import engine_settings_for
from tests.fakes.openai_server import FakeOpenAIServer, TruthReply

LLM_ENGINES = ("openai", "claude", "gemini")
ENGINES = (*LOCAL_ENGINES, *LLM_ENGINES)
PAGES = [as_page(draw_page())]


@pytest.fixture(scope="module")
def llm_server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(default=TruthReply(error_rate=0.25)) as server:
        server.set_truth(TRUTH)
        yield server


@pytest.fixture(scope="module")
def registry(llm_server: FakeOpenAIServer) -> Iterator[EngineRegistry]:
    settings = Settings(
        env="test",
        ocr_processes=2,
        llm_engines=[engine_settings_for(llm_server, name) for name in LLM_ENGINES],
    )
    yield build_registry(settings)
    shutdown_shared_pools()


@pytest.fixture(scope="module")
def results(registry: EngineRegistry) -> dict[str, EngineResult]:
    async def extract_all() -> dict[str, EngineResult]:
        out = {}
        for name in ENGINES:
            engine = registry.get(name)
            out[name] = await engine.extract(PAGES, ExtractionSettings())
            if hasattr(engine, "aclose"):
                await engine.aclose()
        return out

    return asyncio.run(extract_all())


def test_every_engine_is_in_the_registry(registry: EngineRegistry) -> None:
    assert set(ENGINES) <= set(registry.names())


@pytest.mark.parametrize("name", ENGINES)
def test_identity_and_availability(registry: EngineRegistry, name: str) -> None:
    engine = registry.get(name)
    assert isinstance(engine, Engine)
    assert engine.name == name
    assert engine.kind in ("ocr", "llm")
    assert engine.version and engine.version != "unavailable"
    assert "image/png" in engine.accepts
    availability = engine.availability()
    assert availability.available, availability.reason


@pytest.mark.parametrize("name", ENGINES)
def test_a_value_for_every_scalar_field(results: dict[str, EngineResult], name: str) -> None:
    result = results[name]
    assert result.engine == name
    paths = [f.path for f in result.fields]
    assert len(paths) == len(set(paths)), "one value per field"
    assert set(scalar_paths()) <= set(paths)


@pytest.mark.parametrize("name", ENGINES)
def test_confidences_are_measured(results: dict[str, EngineResult], name: str) -> None:
    found = [f.confidence for f in results[name].fields if f.value is not None]
    assert found, "the engine read nothing"
    known = [c for c in found if c is not None]
    assert all(0.0 <= c <= 1.0 for c in known)
    assert len(set(known)) > 1, "a constant confidence is not a measurement"


@pytest.mark.parametrize("name", ENGINES)
def test_locations_are_on_the_page(results: dict[str, EngineResult], name: str) -> None:
    for value in results[name].fields:
        if value.page is not None:
            assert 0 <= value.page < len(PAGES)
        if value.bbox is not None:
            box = value.bbox
            assert 0.0 <= box.x0 <= box.x1 <= 1.0 and 0.0 <= box.y0 <= box.y1 <= 1.0


@pytest.mark.parametrize("name", ENGINES)
def test_raw_output_is_json_and_time_is_measured(
    results: dict[str, EngineResult], name: str
) -> None:
    result = results[name]
    assert json.loads(json.dumps(result.raw_output)) == result.raw_output
    assert result.duration_ms > 0


@pytest.mark.parametrize("name", ENGINES)
def test_reads_most_of_the_page_right(results: dict[str, EngineResult], name: str) -> None:
    truth = {p: v for p, v in flatten(TRUTH).items() if v is not None}
    got = flatten(results[name].extracted_data())
    right = [p for p, v in truth.items() if normalize_value(p, got.get(p)) == normalize_value(p, v)]
    assert len(right) / len(truth) >= 0.6, sorted(set(truth) - set(right))
