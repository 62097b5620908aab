"""The fake chat-completions server itself: routes, keys, truth matching, standalone mode."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw

from scriptsensei.extraction.engine import EngineResult, ExtractionSettings, PageImage
from scriptsensei.extraction.fields import flatten
from scriptsensei.extraction.llm.engine import ChatCompletionsEngine
from tests.fakes.fixtures import engine_settings_for
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    TruthIndex,
    TruthReply,
    json_reply,
    perturb,
    spawn,
)

TRUTH_A = {
    "patientDetails": {"patientName": "Anil Sharma", "age": "34"},
    "medications": [{"drugName": "Amlodipine", "strength": "5 mg", "frequency": "OD"}],
}
TRUTH_B = {
    "patientDetails": {"patientName": "Beena Thomas", "age": "58"},
    "medications": [{"drugName": "Metformin", "strength": "500 mg", "frequency": "BD"}],
}


def _document(boxes: list[tuple[int, int, int, int]]) -> Image.Image:
    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    for box in boxes:
        draw.rectangle(box, fill="black")
    return image


DOC_A = [(40, 40, 560, 120), (40, 300, 300, 340), (40, 400, 500, 440)]
DOC_B = [(40, 40, 250, 160), (300, 500, 560, 700), (40, 720, 560, 760)]


def _encode(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def _page(image: Image.Image, fmt: str = "PNG") -> PageImage:
    content_type = "image/png" if fmt == "PNG" else "image/jpeg"
    return PageImage(0, _encode(image, fmt), content_type, image.width, image.height)


@pytest.fixture
def truth_dir(tmp_path: Path) -> Path:
    for name, boxes, truth in (("a", DOC_A, TRUTH_A), ("b", DOC_B, TRUTH_B)):
        (tmp_path / f"{name}.png").write_bytes(_encode(_document(boxes)))
        (tmp_path / f"{name}.json").write_text(json.dumps(truth))
    return tmp_path


async def _extract(
    server: FakeOpenAIServer | str, page: PageImage, model: str = "fake/a"
) -> EngineResult:
    engine = ChatCompletionsEngine(engine_settings_for(server, model=model))
    try:
        return await engine.extract([page], ExtractionSettings())
    finally:
        await engine.aclose()


def _name(result: EngineResult) -> str | None:
    found = result.value_of("patientDetails.patientName")
    return found.value if found else None


async def test_lists_models_and_refuses_unknown_routes(fake_llm: FakeOpenAIServer) -> None:
    async with httpx.AsyncClient(base_url=fake_llm.base_url) as http:
        models = (await http.get("/models")).json()
        missing = await http.post("/completions", json={})
    assert [m["id"] for m in models["data"]] == ["fake-vision"]
    assert missing.status_code == 404


async def test_requires_its_key_when_given_one_without_using_the_queue(
    fake_llm: FakeOpenAIServer,
) -> None:
    fake_llm.api_key = "sk-fake"
    fake_llm.enqueue(json_reply(TRUTH_A))
    async with httpx.AsyncClient(base_url=fake_llm.base_url) as http:
        denied = await http.post("/chat/completions", json={"messages": []})
        allowed = await http.post(
            "/chat/completions", json={"messages": []}, headers={"Authorization": "Bearer sk-fake"}
        )
    assert denied.status_code == 401
    assert json.loads(allowed.json()["choices"][0]["message"]["content"]) == TRUTH_A


async def test_records_what_it_received(fake_llm: FakeOpenAIServer) -> None:
    page = _page(_document(DOC_A))
    await _extract(fake_llm, page)
    (request,) = fake_llm.chat_requests
    assert request.images() == [page.data]
    assert request.header("content-type") == "application/json"
    assert "patientDetails.patientName" in request.text()


async def test_answers_the_truth_of_the_page_sent(truth_dir: Path) -> None:
    with FakeOpenAIServer(truth=TruthIndex.from_dir(truth_dir)) as server:
        exact = await _extract(server, _page(Image.open(truth_dir / "b.png")))
        assert _name(exact) == "Beena Thomas"
        resized = _document(DOC_A).resize((300, 400))
        assert _name(await _extract(server, _page(resized, "JPEG"))) == "Anil Sharma"
        rotated = _document(DOC_B).rotate(90, expand=True)
        assert _name(await _extract(server, _page(rotated))) == "Beena Thomas"
        unknown = _document([(0, 0, 600, 800)])
        blank = await _extract(server, _page(unknown))
        assert _name(blank) is None
        assert blank.extracted_data()["medications"] == []


async def test_set_truth_answers_every_request(fake_llm: FakeOpenAIServer) -> None:
    fake_llm.set_truth(TRUTH_B)
    result = await _extract(fake_llm, _page(_document(DOC_A)))
    assert result.extracted_data()["medications"][0]["drugName"] == "Metformin"


async def test_misreads_are_deterministic_per_model_with_low_confidence() -> None:
    with FakeOpenAIServer(default=TruthReply(error_rate=0.5)) as server:
        server.set_truth(TRUTH_A)
        page = _page(_document(DOC_A))
        first = await _extract(server, page, model="fake/a")
        again = await _extract(server, page, model="fake/a")
        other = await _extract(server, page, model="fake/b")
    assert first.extracted_data() == again.extracted_data()
    truth_values = _flat_truth(TRUTH_A)
    wrong_a = {p for p, v in truth_values.items() if first.value_of(p).value != v}  # type: ignore[union-attr]
    wrong_b = {p for p, v in truth_values.items() if other.value_of(p).value != v}  # type: ignore[union-attr]
    assert wrong_a != wrong_b
    for path in wrong_a:
        value = first.value_of(path)
        assert value is not None
        if value.value is not None:
            assert value.confidence == pytest.approx(math.exp(-1.5))
    right = set(truth_values) - wrong_a
    assert right
    for path in right:
        assert first.value_of(path).confidence == pytest.approx(math.exp(-0.02))  # type: ignore[union-attr]


def _flat_truth(truth: Mapping[str, Any]) -> dict[str, str]:
    return {p: v for p, v in flatten(truth).items() if v is not None}


def test_a_misreading_differs_from_the_value() -> None:
    assert perturb("500 mg") == "501 mg"
    assert perturb("Amlodipine") == "Amlodipin"
    assert perturb("OD") is None


async def test_runs_as_a_standalone_process(truth_dir: Path) -> None:
    with spawn(truth_dir, "--error-rate", "0") as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        result = await _extract(base_url, _page(Image.open(truth_dir / "a.png")))
    assert result.extracted_data()["medications"][0]["strength"] == "5 mg"
    assert _name(result) == "Anil Sharma"


async def test_a_standalone_process_can_require_a_key(
    truth_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_PROCESS_KEY", "sk-proc")
    with spawn(truth_dir, "--api-key", "sk-proc") as base_url:
        settings = engine_settings_for(base_url, api_key_env="FAKE_PROCESS_KEY", requires_key=True)
        engine = ChatCompletionsEngine(settings)
        try:
            result = await engine.extract(
                [_page(Image.open(truth_dir / "b.png"))], ExtractionSettings()
            )
        finally:
            await engine.aclose()
    assert _name(result) == "Beena Thomas"


async def test_reset_forgets_the_script_and_the_record(fake_llm: FakeOpenAIServer) -> None:
    fake_llm.enqueue(json_reply(TRUTH_A))
    fake_llm.set_truth(TRUTH_B)
    await _extract(fake_llm, _page(_document(DOC_A)))
    fake_llm.enqueue(json_reply(TRUTH_A))
    fake_llm.reset()
    assert fake_llm.requests == []
    assert fake_llm.pending == 0
    result = await _extract(fake_llm, _page(_document(DOC_A)))
    assert _name(result) is None  # no fixed truth, no truth index: nothing to answer
