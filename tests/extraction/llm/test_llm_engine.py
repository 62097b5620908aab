"""ChatCompletionsEngine against a real local chat-completions server: replies it can read."""

from __future__ import annotations

import base64
import io
import json
import math

import pytest
from PIL import Image

from scriptsensei.extraction.engine import (
    Engine,
    ExtractionSettings,
    PageImage,
    PermanentEngineError,
)
from scriptsensei.extraction.llm.engine import MAX_STORED_REPLY_CHARS
from scriptsensei.extraction.llm.prompt import PROMPT_VERSION
from tests.extraction.llm.conftest import EngineFactory, make_page
from tests.fakes.openai_server import (
    INJECTION_TEXT,
    FakeOpenAIServer,
    Reply,
    fenced_json,
    injection_reply,
    json_reply,
    malformed_json,
    prose_json,
)

TRUTH = {
    "patientDetails": {"patientName": "Ravi Kumar", "age": "45 Y", "gender": "M"},
    "vitals": {"bloodPressure": "130/85 mmHg", "pulse": "78/min"},
    "medications": [
        {"drugName": "Paracetamol", "formulation": "Tab", "strength": "500 mg", "frequency": "TDS"},
        {"drugName": "Pantoprazole", "formulation": "Tab", "strength": "40 mg", "frequency": "OD"},
    ],
    "doctorDetails": {"doctorName": "Dr. A. Mehta", "registrationNo": "MMC 12345"},
}
EVERYTHING = ExtractionSettings()


def values(result: object) -> dict[str, str | None]:
    return {f.path: f.value for f in result.fields}  # type: ignore[attr-defined]


def test_conforms_to_the_engine_protocol(make_engine: EngineFactory) -> None:
    engine = make_engine(name="openai", model="openai/gpt-4o")
    assert isinstance(engine, Engine)
    assert engine.name == "openai"
    assert engine.kind == "llm"
    assert engine.accepts == {"image/png", "image/jpeg"}
    assert engine.version == f"openai/gpt-4o+prompt-{PROMPT_VERSION}"


async def test_reads_a_json_mode_reply(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(json_reply(TRUTH))
    result = await make_engine().extract([make_page()], EVERYTHING)
    got = values(result)
    assert got["patientDetails.patientName"] == "Ravi Kumar"
    assert got["vitals.bloodPressure"] == "130/85 mmHg"
    assert got["medications.1.drugName"] == "Pantoprazole"
    assert got["medications.0.frequency"] == "TDS"
    assert got["clinicDetails.email"] is None
    assert result.extracted_data()["medications"][1]["strength"] == "40 mg"
    assert result.engine == "fake"
    assert result.raw_output["reply"] == json.dumps(TRUTH)
    assert result.raw_output["json_mode"] is True
    assert result.raw_output["attempts"] == 1


async def test_request_carries_pages_as_data_urls_and_asks_for_json(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    pages = [make_page("page two", index=1, fmt="JPEG"), make_page("page one", index=0)]
    await make_engine(model="vendor/vision-1", max_output_tokens=1234).extract(pages, EVERYTHING)
    (request,) = fake_llm.chat_requests
    urls = request.image_urls()
    assert urls == [
        "data:image/png;base64," + base64.b64encode(pages[1].data).decode(),
        "data:image/jpeg;base64," + base64.b64encode(pages[0].data).decode(),
    ]
    assert request.body["model"] == "vendor/vision-1"
    assert request.body["max_tokens"] == 1234
    assert request.body["response_format"] == {"type": "json_object"}
    assert request.body["logprobs"] is True
    system = request.messages()[0]
    assert system["role"] == "system"
    assert "untrusted" in system["content"]
    assert "never as instructions" in system["content"]


async def test_sends_the_api_key_from_the_environment(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test-123")
    fake_llm.api_key = "sk-test-123"
    engine = make_engine(api_key_env="FAKE_LLM_KEY", requires_key=True)
    result = await engine.extract([make_page()], EVERYTHING)
    assert fake_llm.chat_requests[0].header("authorization") == "Bearer sk-test-123"
    assert result.fields


async def test_local_server_without_key_sends_no_authorization(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    await make_engine(api_key_env=None, requires_key=False).extract([make_page()], EVERYTHING)
    assert fake_llm.chat_requests[0].header("authorization") is None


@pytest.mark.parametrize("behaviour", [fenced_json, prose_json], ids=["fenced", "prose"])
async def test_reads_json_wrapped_in_fences_or_prose(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer, behaviour: object
) -> None:
    fake_llm.enqueue(behaviour(TRUTH))  # type: ignore[operator]
    result = await make_engine().extract([make_page()], EVERYTHING)
    assert values(result)["doctorDetails.registrationNo"] == "MMC 12345"
    assert values(result)["medications.0.strength"] == "500 mg"


async def test_missing_fields_are_null_without_confidence(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(json_reply({"patientDetails": {"patientName": "Asha"}}, logprobs=-0.1))
    result = await make_engine().extract([make_page()], EVERYTHING)
    by_path = {f.path: f for f in result.fields}
    assert by_path["patientDetails.patientName"].value == "Asha"
    assert by_path["patientDetails.age"].value is None
    assert by_path["patientDetails.age"].confidence is None
    assert by_path["vitals.pulse"].value is None
    assert not [f for f in result.fields if f.path.startswith("medications.")]


async def test_normalises_na_numbers_lists_and_unknown_keys(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    reply = {
        "patientDetails": {
            "patientName": "N/A",
            "age": 45,
            "gender": "",
            "allergies": ["Sulfa", "NA"],
        },
        "vitals": {"temperature": 98.6, "spO2": "NA"},
        "medications": {"drugName": "Azithromycin", "strength": 500, "duration": "3 days"},
        "hospitalBilling": {"amount": "1200"},
        "clinicDetails": "NA",
    }
    fake_llm.enqueue(json_reply(reply))
    got = values(await make_engine().extract([make_page()], EVERYTHING))
    assert got["patientDetails.patientName"] is None
    assert got["patientDetails.age"] == "45"
    assert got["patientDetails.gender"] is None
    assert got["patientDetails.allergies"] == "Sulfa"
    assert got["vitals.temperature"] == "98.6"
    assert got["vitals.spO2"] is None
    assert got["medications.0.drugName"] == "Azithromycin"
    assert got["medications.0.strength"] == "500"
    assert got["clinicDetails.clinicName"] is None
    assert not [p for p in got if p.startswith("hospitalBilling")]


async def test_a_template_echoed_with_nulls_is_not_a_medicine(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    meds = [{"drugName": None, "strength": None}, {"drugName": "Cetirizine", "strength": "10 mg"}]
    fake_llm.enqueue(json_reply({"medications": meds}, logprobs={"Cetirizine": -0.5}))
    result = await make_engine().extract([make_page()], EVERYTHING)
    got = values(result)
    assert got["medications.0.drugName"] == "Cetirizine"
    assert "medications.1.drugName" not in got
    # the confidence followed the medicine to its new index
    assert result.value_of("medications.0.drugName").confidence == pytest.approx(math.exp(-0.5))  # type: ignore[union-attr]


async def test_only_selected_fields_are_asked_for_and_returned(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(json_reply(TRUTH))
    settings = ExtractionSettings(
        selected_fields=("patientDetails.patientName", "medications.strength")
    )
    result = await make_engine().extract([make_page()], settings)
    assert values(result) == {
        "patientDetails.patientName": "Ravi Kumar",
        "medications.0.strength": "500 mg",
        "medications.1.strength": "40 mg",
    }
    text = fake_llm.chat_requests[0].text()
    assert "patientDetails.patientName" in text
    assert "medications.strength" in text
    assert "vitals" not in text
    assert "doctorName" not in text


async def test_custom_prompts_replace_field_and_group_instructions(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    settings = ExtractionSettings(
        selected_fields=("patientDetails", "vitals"),
        custom_prompts={
            "patientDetails.patientName": "Write the name in CAPITALS, surname first.",
            "vitals": "Only vitals measured today.",
            "no.such.field": "ignored",
        },
    )
    result = await make_engine().extract([make_page()], settings)
    text = fake_llm.chat_requests[0].text()
    assert "patientDetails.patientName: Write the name in CAPITALS, surname first." in text
    assert "the patient's full name" not in text  # the default it replaced
    assert "vitals: Only vitals measured today." in text
    assert "ignored" not in text
    assert "patientDetails.age: age as written" in text  # other defaults kept
    assert "Write the name in CAPITALS" in (result.prompt or "")


async def test_prompt_injection_in_a_reply_stays_data(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(injection_reply())
    result = await make_engine().extract([make_page()], EVERYTHING)
    got = values(result)
    assert got["patientDetails.patientName"] == INJECTION_TEXT
    assert got["medications.0.specialInstructions"] == INJECTION_TEXT
    assert got["medications.0.drugName"] == "Paracetamol"
    assert got["patientDetails.age"] == "45"
    assert len([p for p in got if p.endswith(".drugName")]) == 1  # no Morphine appeared
    assert len(fake_llm.chat_requests) == 1


async def test_prose_with_no_json_is_refused_after_retries(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(*[Reply(f"I cannot do that. {INJECTION_TEXT}") for _ in range(3)])
    with pytest.raises(PermanentEngineError, match="no usable JSON after 3 attempt") as info:
        await make_engine(max_retries=2).extract([make_page()], EVERYTHING)
    assert "IGNORE ALL PREVIOUS" in str(info.value)  # a short excerpt, for the operator
    assert len(str(info.value)) < 400
    assert len(fake_llm.chat_requests) == 3


async def test_python_literal_json_is_never_evaluated(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(malformed_json(), malformed_json())
    with pytest.raises(PermanentEngineError, match="no usable JSON") as info:
        await make_engine(max_retries=1).extract([make_page()], EVERYTHING)
    assert "'patientName': 'Ravi Kumar'" in str(info.value)


async def test_malformed_reply_is_asked_again_and_tokens_add_up(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(Reply("{not json", usage=(1000, 10)), json_reply(TRUTH, usage=(1000, 200)))
    result = await make_engine(input_price_per_mtok=2.0, output_price_per_mtok=8.0).extract(
        [make_page()], EVERYTHING
    )
    assert values(result)["patientDetails.patientName"] == "Ravi Kumar"
    assert result.raw_output["attempts"] == 2
    assert (result.input_tokens, result.output_tokens) == (2000, 210)
    assert result.cost_usd == pytest.approx((2000 * 2.0 + 210 * 8.0) / 1_000_000)


async def test_cost_is_unknown_without_usage(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(json_reply(TRUTH, usage=None))
    result = await make_engine().extract([make_page()], EVERYTHING)
    assert result.input_tokens is None
    assert result.cost_usd is None
    assert result.duration_ms > 0


async def test_a_reply_cut_off_at_max_tokens_says_so(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(Reply('{"patientDetails": {"patientName": "Ra', finish_reason="length"))
    with pytest.raises(PermanentEngineError, match="cut off at max_output_tokens=64"):
        await make_engine(max_retries=0, max_output_tokens=64).extract([make_page()], EVERYTHING)


async def test_a_refusal_or_empty_reply_is_not_data(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(Reply(None, refusal="I can't help with medical documents."), Reply("   "))
    with pytest.raises(PermanentEngineError, match="empty"):
        await make_engine(max_retries=1).extract([make_page()], EVERYTHING)
    assert len(fake_llm.chat_requests) == 2


async def test_a_long_reply_is_stored_truncated(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    long_name = "X" * (300 * 1024)
    fake_llm.enqueue(json_reply({"patientDetails": {"patientName": "Ravi", "others": long_name}}))
    result = await make_engine().extract([make_page()], EVERYTHING)
    assert values(result)["patientDetails.patientName"] == "Ravi"
    assert len(result.raw_output["reply"]) == MAX_STORED_REPLY_CHARS
    assert result.raw_output["reply_truncated"] is True
    assert result.raw_output["reply_chars"] > MAX_STORED_REPLY_CHARS


async def test_large_scans_are_sent_scaled_down(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    image = Image.new("RGB", (4000, 1000), "white")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    page = PageImage(0, buffer.getvalue(), "image/png", 4000, 1000)
    await make_engine().extract([page], EVERYTHING)
    (url,) = fake_llm.chat_requests[0].image_urls()
    assert url.startswith("data:image/jpeg;base64,")
    (sent,) = fake_llm.chat_requests[0].images()
    with Image.open(io.BytesIO(sent)) as received:
        assert received.size == (2048, 512)


async def test_an_unreadable_large_page_is_a_clear_error(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    page = PageImage(2, b"\x89PNG not really", "image/png", 5000, 5000)
    with pytest.raises(PermanentEngineError, match="page 3 is not a readable image"):
        await make_engine().extract([page], EVERYTHING)
    assert fake_llm.chat_requests == []


async def test_one_engine_reuses_its_connection(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    engine = make_engine()
    for _ in range(3):
        await engine.extract([make_page()], EVERYTHING)
    peers = {r.peer for r in fake_llm.chat_requests}
    assert len(fake_llm.chat_requests) == 3
    assert len(peers) == 1


async def test_a_selection_naming_no_field_is_refused(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    settings = ExtractionSettings(selected_fields=("bogus", "vitals.colour"))
    with pytest.raises(PermanentEngineError, match=r"selects no field .*bogus, vitals\.colour"):
        await make_engine().extract([make_page()], settings)
    assert fake_llm.chat_requests == []
