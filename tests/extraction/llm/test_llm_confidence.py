"""Confidence from token log-probabilities: computed from the reply's tokens, never invented."""

from __future__ import annotations

import json
import math

import pytest

from scriptsensei.extraction.engine import ExtractionSettings
from scriptsensei.extraction.llm.confidence import field_confidences, token_spans, value_spans
from scriptsensei.extraction.llm.reply import locate_json
from tests.extraction.llm.conftest import EngineFactory, make_page
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    Raw,
    Reply,
    fenced_json,
    json_reply,
    token_logprobs,
)

DATA = {
    "patientDetails": {"patientName": "Sunita Rao", "age": "62", "gender": None},
    "medications": [{"drugName": "Metformin", "strength": "500 mg"}],
}


async def test_confidence_is_the_geometric_mean_token_probability(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(json_reply(DATA, logprobs={"Metformin": -0.9, "Sunita Rao": -0.3}))
    result = await make_engine().extract([make_page()], ExtractionSettings())
    conf = {f.path: f.confidence for f in result.fields}
    assert conf["medications.0.drugName"] == pytest.approx(math.exp(-0.9))
    assert conf["patientDetails.patientName"] == pytest.approx(math.exp(-0.3))
    assert conf["patientDetails.age"] == pytest.approx(math.exp(-0.01))
    assert conf["patientDetails.gender"] == pytest.approx(math.exp(-0.01))  # the "null" token
    assert conf["patientDetails.uhid"] is None  # not in the reply at all


@pytest.mark.parametrize("token_chars", [1, 3, 7])
async def test_tokens_straddling_quotes_and_values_still_map(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer, token_chars: int
) -> None:
    fake_llm.enqueue(fenced_json(DATA, logprobs=-0.2, token_chars=token_chars))
    result = await make_engine().extract([make_page()], ExtractionSettings())
    for path in ("patientDetails.patientName", "medications.0.strength"):
        assert result.value_of(path).confidence == pytest.approx(math.exp(-0.2))  # type: ignore[union-attr]


async def test_no_logprobs_means_no_confidence(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(json_reply(DATA))
    result = await make_engine().extract([make_page()], ExtractionSettings())
    assert {f.confidence for f in result.fields} == {None}
    assert result.raw_output["logprobs"] is False


async def test_logprobs_that_do_not_spell_the_reply_are_ignored(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    content = json.dumps(DATA)
    other = token_logprobs(json.dumps({"x": "different text"}), -0.5)
    body = {
        "choices": [
            {"message": {"role": "assistant", "content": content}, "logprobs": {"content": other}}
        ]
    }
    fake_llm.enqueue(Raw(200, json.dumps(body).encode(), "application/json"))
    result = await make_engine().extract([make_page()], ExtractionSettings())
    assert result.value_of("patientDetails.patientName").value == "Sunita Rao"  # type: ignore[union-attr]
    assert {f.confidence for f in result.fields} == {None}


async def test_renumbered_medications_get_no_borrowed_confidence(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    # medicines as a numbered object: validation renumbers them, spans would not line up
    data = {"medications": {"1": {"drugName": "Amoxicillin"}, "2": {"drugName": "Ibuprofen"}}}
    fake_llm.enqueue(json_reply(data, logprobs={"Amoxicillin": -2.0}))
    result = await make_engine().extract([make_page()], ExtractionSettings())
    assert result.value_of("medications.0.drugName").value == "Amoxicillin"  # type: ignore[union-attr]
    assert result.value_of("medications.0.drugName").confidence is None  # type: ignore[union-attr]
    assert result.value_of("medications.1.drugName").confidence is None  # type: ignore[union-attr]


def test_value_spans_point_at_the_value_characters() -> None:
    content = (
        'Result: {"vitals": {"pulse": "xyz", "bmi": 12, "weight": "", "others": ["p", null]}} ok'
    )
    located = locate_json(content)
    spans = value_spans(content, located)
    assert content[slice(*spans["vitals.pulse"])] == "xyz"
    assert content[slice(*spans["vitals.bmi"])] == "12"
    assert content[slice(*spans["vitals.weight"])] == '""'
    assert content[slice(*spans["vitals.others"])] == '["p", null]'
    assert content[slice(*spans["vitals.others.1"])] == "null"


def test_values_under_an_extracted_data_wrapper_map_to_field_paths() -> None:
    content = json.dumps({"extractedData": {"vitals": {"pulse": "80"}}})
    located = locate_json(content)
    entries = token_logprobs(content, {"80": -1.0})
    assert field_confidences(content, located, entries)["vitals.pulse"] == pytest.approx(
        math.exp(-1)
    )


def test_positive_or_missing_logprobs_are_rejected() -> None:
    assert token_spans([{"token": "a", "logprob": 0.5}], "a") is None
    assert token_spans([{"token": "a"}], "a") is None
    assert token_spans([{"token": "a", "logprob": float("nan")}], "a") is None
    assert token_spans([{"token": "a", "logprob": -0.1}], "a") is not None


def test_reply_without_logprobs_field_has_empty_confidences() -> None:
    content = json.dumps(DATA)
    assert field_confidences(content, locate_json(content), None) == {}
    assert Reply(content).logprobs is None
