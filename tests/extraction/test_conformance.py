"""Every engine in the registry honours the engine contract on a drawn prescription.

Local OCR engines run for real; LLM engines talk to a real local HTTP server speaking
OpenAI chat completions (tests/fakes), which answers the page's truth with some
deterministic misreads and token log-probabilities.

Beyond "a value per field": OCR engines say on which page and where each value they read
is printed (checked against the boxes the sample generator drew), LLM engines report the
tokens the endpoint billed and their cost, and every engine honours a run's selected
fields (the others come back null) and its per-field custom prompts (which reach the LLM
request in place of the default instruction).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pytest

from scriptsensei.core.settings import Settings
from scriptsensei.extraction.cpu_pool import shutdown_shared_pools
from scriptsensei.extraction.engine import (
    BoundingBox,
    Engine,
    EngineResult,
    ExtractionSettings,
    PageImage,
)
from scriptsensei.extraction.fields import flatten, path_selected, scalar_paths
from scriptsensei.extraction.llm.prompt import FIELD_INSTRUCTIONS
from scriptsensei.extraction.normalize import normalize_value
from scriptsensei.extraction.pages import encode_page
from scriptsensei.extraction.registry import LOCAL_ENGINES, EngineRegistry, build_registry
from scriptsensei.samples import Sample, SampleOptions, generate_sample, sample_rng
from tests.extraction.ocr.drawn import TRUTH, as_page, draw_page
from tests.fakes.fixtures import engine_settings_for
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    RecordedRequest,
    TruthReply,
    estimate_usage,
)

LLM_ENGINES = ("openai", "claude", "gemini")
ENGINES = (*LOCAL_ENGINES, *LLM_ENGINES)
PAGES = [as_page(draw_page())]
# What engine_settings_for bills per million input and output tokens.
INPUT_PRICE, OUTPUT_PRICE = 1.0, 4.0

SELECTED = ("patientDetails", "medications.drugName", "vitals.bloodPressure")
CUSTOM_PROMPTS = {
    "patientDetails.patientName": "CONFORMANCE-NAME: the name written after 'Patient Name'",
    "medications.drugName": "CONFORMANCE-DRUG: the medicine's name without its strength",
}
SELECTION = ExtractionSettings(SELECTED, CUSTOM_PROMPTS)


@dataclass
class Outcome:
    result: EngineResult
    requests: list[RecordedRequest]  # what an LLM engine sent for this result


async def _run(
    registry: EngineRegistry,
    server: FakeOpenAIServer,
    names: Iterable[str],
    pages: list[PageImage],
    settings: ExtractionSettings,
) -> dict[str, Outcome]:
    out = {}
    for name in names:  # one after the other, so each engine's requests are its own
        engine = registry.get(name)
        before = len(server.chat_requests)
        result = await engine.extract(pages, settings)
        out[name] = Outcome(result, server.chat_requests[before:])
        if hasattr(engine, "aclose"):
            await engine.aclose()
    return out


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
def outcomes(registry: EngineRegistry, llm_server: FakeOpenAIServer) -> dict[str, Outcome]:
    return asyncio.run(_run(registry, llm_server, ENGINES, PAGES, ExtractionSettings()))


@pytest.fixture(scope="module")
def results(outcomes: dict[str, Outcome]) -> dict[str, EngineResult]:
    return {name: outcome.result for name, outcome in outcomes.items()}


@pytest.fixture(scope="module")
def selected(registry: EngineRegistry, llm_server: FakeOpenAIServer) -> dict[str, Outcome]:
    return asyncio.run(_run(registry, llm_server, ENGINES, PAGES, SELECTION))


@pytest.fixture(scope="module")
def generated() -> Sample:
    """A clean printed page from the sample generator, which knows where it drew each field."""
    options = SampleOptions(profile="clean", pdf_share=0.0, handwriting_share=0.0)
    sample = generate_sample(sample_rng(11, 0), 0, options)
    assert not sample.meta["handwriting"] and not sample.meta["degraded"]
    return sample


@pytest.fixture(scope="module")
def generated_results(
    registry: EngineRegistry, llm_server: FakeOpenAIServer, generated: Sample
) -> dict[str, EngineResult]:
    pages = [encode_page(0, generated.image)]
    ran = asyncio.run(_run(registry, llm_server, LOCAL_ENGINES, pages, ExtractionSettings()))
    return {name: outcome.result for name, outcome in ran.items()}


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


def _is_box(box: BoundingBox | None) -> bool:
    return box is not None and 0.0 <= box.x0 < box.x1 <= 1.0 and 0.0 <= box.y0 < box.y1 <= 1.0


def _on_a_drawn_line(box: BoundingBox, drawn: list[list[float]]) -> bool:
    """The box's middle lies on the line where the generator drew the field."""
    middle = (box.y0 + box.y1) / 2
    return any(y0 - (y1 - y0) / 2 <= middle <= y1 + (y1 - y0) / 2 for _, y0, _, y1 in drawn)


@pytest.mark.parametrize("name", LOCAL_ENGINES)
def test_ocr_engines_say_where_each_value_was_read(
    generated_results: dict[str, EngineResult], generated: Sample, name: str
) -> None:
    truth = {p: v for p, v in flatten(generated.truth).items() if v is not None}
    read = [f for f in generated_results[name].fields if f.value is not None]
    assert len(read) >= 0.8 * len(truth), "the engine read too little to judge"
    unlocated = [f.path for f in read if f.page != 0 or not _is_box(f.bbox)]
    assert not unlocated, f"read without a page and a box: {unlocated}"

    drawn = generated.meta["image_field_boxes"]
    right = [
        f
        for f in read
        if f.path in drawn
        and normalize_value(f.path, f.value) == normalize_value(f.path, truth.get(f.path))
    ]
    assert len(right) >= 0.8 * len(truth)
    # A value printed twice (the doctor's name in the header and under the signature) may
    # be read where the generator did not mark it; anything more is a box in the wrong place.
    misplaced = [f.path for f in right if f.bbox and not _on_a_drawn_line(f.bbox, drawn[f.path])]
    assert len(misplaced) <= 0.1 * len(right), misplaced


@pytest.mark.parametrize("name", LOCAL_ENGINES)
def test_ocr_engines_are_not_billed(results: dict[str, EngineResult], name: str) -> None:
    result = results[name]
    assert (result.input_tokens, result.output_tokens, result.cost_usd) == (None, None, None)


@pytest.mark.parametrize("name", LLM_ENGINES)
def test_llm_engines_report_the_billed_tokens_and_their_cost(
    outcomes: dict[str, Outcome], name: str
) -> None:
    result, requests = outcomes[name].result, outcomes[name].requests
    assert len(requests) == result.raw_output["attempts"] == 1
    # The fake endpoint bills by this estimate; the engine must report what was billed.
    usage = estimate_usage(requests[0], result.raw_output["reply"])
    assert result.input_tokens == usage["prompt_tokens"] > 0
    assert result.output_tokens == usage["completion_tokens"] > 0
    expected = (result.input_tokens * INPUT_PRICE + result.output_tokens * OUTPUT_PRICE) / 1e6
    assert result.cost_usd == pytest.approx(expected)


@pytest.mark.parametrize("name", ENGINES)
def test_only_the_selected_fields_are_returned(selected: dict[str, Outcome], name: str) -> None:
    result = selected[name].result
    paths = [f.path for f in result.fields]
    assert paths and all(path_selected(p, SELECTED) for p in paths), paths
    expected_scalars = [p for p in scalar_paths() if path_selected(p, SELECTED)]
    assert set(expected_scalars) <= set(paths), "one value per selected field"
    flat = flatten(result.extracted_data())
    leaked = [p for p, v in flat.items() if v is not None and not path_selected(p, SELECTED)]
    assert not leaked, f"fields that were not selected came back: {leaked}"
    assert flat["patientDetails.patientName"] is not None
    assert flat["medications.0.drugName"] is not None
    assert flat["medications.0.strength"] is None  # a medication key that was not selected


@pytest.mark.parametrize("name", LLM_ENGINES)
def test_custom_prompts_reach_the_llm_request(selected: dict[str, Outcome], name: str) -> None:
    result, requests = selected[name].result, selected[name].requests
    assert requests, "the engine sent nothing"
    for request in requests:
        sent = request.text()
        for path, prompt in CUSTOM_PROMPTS.items():
            assert f"- {path}: {prompt}" in sent
            assert FIELD_INSTRUCTIONS[path] not in sent, "the default instruction was kept"
        assert FIELD_INSTRUCTIONS["patientDetails.age"] in sent  # selected, no custom prompt
        assert "vitals.pulse" not in sent and "doctorDetails" not in sent  # not selected
    assert result.prompt is not None and CUSTOM_PROMPTS["medications.drugName"] in result.prompt
