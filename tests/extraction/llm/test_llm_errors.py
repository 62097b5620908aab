"""ChatCompletionsEngine against a real local server that fails: each failure has its error."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from scriptsensei.extraction.engine import (
    ExtractionSettings,
    PermanentEngineError,
    TransientEngineError,
)
from scriptsensei.extraction.llm.reply import MAX_PARSE_CHARS
from tests.extraction.llm.conftest import EngineFactory, RecordingSleep, make_page
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    Raw,
    RejectOption,
    Reply,
    bad_request,
    huge_reply,
    json_reply,
    rate_limited,
    reject_response_format,
    server_error,
    slow,
    unauthorized,
)

EVERYTHING = ExtractionSettings()
GOOD = {"patientDetails": {"patientName": "Meena Iyer"}}


async def test_a_slow_reply_times_out_as_transient(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(slow(60), slow(60))
    engine = make_engine(timeout_seconds=1.5, max_retries=1)
    with pytest.raises(TransientEngineError, match=r"did not reply within 1\.5 s") as info:
        await engine.extract([make_page()], EVERYTHING)
    assert "gave up after 2 attempt(s)" in str(info.value)
    assert info.value.retry_after is not None
    assert len(fake_llm.chat_requests) == 2


async def test_a_slow_reply_within_the_time_out_is_read(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(slow(0.2, json_reply(GOOD)))
    result = await make_engine(timeout_seconds=5).extract([make_page()], EVERYTHING)
    assert result.value_of("patientDetails.patientName").value == "Meena Iyer"  # type: ignore[union-attr]


async def test_429_honours_retry_after_seconds(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer, sleeps: RecordingSleep
) -> None:
    fake_llm.enqueue(rate_limited(7), json_reply(GOOD))
    result = await make_engine().extract([make_page()], EVERYTHING)
    assert sleeps.calls == [7.0]
    assert result.value_of("patientDetails.patientName").value == "Meena Iyer"  # type: ignore[union-attr]
    assert len(fake_llm.chat_requests) == 2


async def test_429_honours_retry_after_as_an_http_date(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer, sleeps: RecordingSleep
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    fake_llm.enqueue(rate_limited(when), json_reply(GOOD))
    await make_engine().extract([make_page()], EVERYTHING)
    (waited,) = sleeps.calls
    assert 15 <= waited <= 20


async def test_a_long_retry_after_goes_back_to_the_job_queue(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer, sleeps: RecordingSleep
) -> None:
    fake_llm.enqueue(rate_limited(120))
    with pytest.raises(TransientEngineError, match="HTTP 429") as info:
        await make_engine(max_retries=3).extract([make_page()], EVERYTHING)
    assert info.value.retry_after == 120
    assert sleeps.calls == []
    assert len(fake_llm.chat_requests) == 1


async def test_5xx_is_retried_with_backoff_then_transient(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer, sleeps: RecordingSleep
) -> None:
    fake_llm.enqueue(server_error(500), server_error(502), server_error(503), server_error(500))
    with pytest.raises(TransientEngineError, match="HTTP 500") as info:
        await make_engine(max_retries=3).extract([make_page()], EVERYTHING)
    assert len(fake_llm.chat_requests) == 4
    # base 0.5 s doubling, equal jitter: each wait within [ceiling/2, ceiling]
    assert len(sleeps.calls) == 3
    for attempt, waited in enumerate(sleeps.calls):
        ceiling = 0.5 * 2**attempt
        assert ceiling / 2 <= waited <= ceiling
    assert info.value.retry_after is not None and info.value.retry_after > 0


async def test_5xx_then_success_is_a_result(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(server_error(500), Raw(502, b"<html>Bad gateway</html>", "text/html"))
    fake_llm.enqueue(json_reply(GOOD))
    result = await make_engine(max_retries=2).extract([make_page()], EVERYTHING)
    assert result.value_of("patientDetails.patientName").value == "Meena Iyer"  # type: ignore[union-attr]


@pytest.mark.parametrize("status", [401, 403])
async def test_a_rejected_key_is_permanent_and_not_retried(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer, status: int
) -> None:
    fake_llm.enqueue(unauthorized(status))
    with pytest.raises(PermanentEngineError, match="the API key for engine fake was rejected"):
        await make_engine(max_retries=3).extract([make_page()], EVERYTHING)
    assert len(fake_llm.chat_requests) == 1


async def test_a_wrong_key_is_rejected_by_the_endpoint(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-wrong")
    fake_llm.api_key = "sk-right"
    engine = make_engine(api_key_env="FAKE_LLM_KEY", requires_key=True)
    with pytest.raises(PermanentEngineError, match="FAKE_LLM_KEY") as info:
        await engine.extract([make_page()], EVERYTHING)
    assert "sk-wrong" not in str(info.value)


async def test_400_is_permanent_with_the_servers_message(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(bad_request("Image exceeds the 20 MB limit"))
    with pytest.raises(PermanentEngineError, match=r"HTTP 400.*Image exceeds the 20 MB limit"):
        await make_engine().extract([make_page()], EVERYTHING)
    assert len(fake_llm.chat_requests) == 1


async def test_404_names_the_model(make_engine: EngineFactory, fake_llm: FakeOpenAIServer) -> None:
    engine = make_engine(base_url=fake_llm.base_url + "/nowhere", model="vendor/ghost")
    with pytest.raises(PermanentEngineError, match=r"model 'vendor/ghost' or URL .* not found"):
        await engine.extract([make_page()], EVERYTHING)


async def test_falls_back_when_json_mode_is_rejected(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer, sleeps: RecordingSleep
) -> None:
    fake_llm.enqueue(reject_response_format(json_reply(GOOD)))
    engine = make_engine(max_retries=0)
    result = await engine.extract([make_page()], EVERYTHING)
    first, second = fake_llm.chat_requests
    assert "response_format" in first.body
    assert "response_format" not in second.body
    assert result.raw_output["json_mode"] is False
    assert sleeps.calls == []
    # remembered: the next extraction does not offer JSON mode again
    await engine.extract([make_page()], EVERYTHING)
    assert "response_format" not in fake_llm.chat_requests[2].body


async def test_falls_back_when_logprobs_are_rejected(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(RejectOption("logprobs", json_reply(GOOD, logprobs=-0.1)))
    result = await make_engine(max_retries=0).extract([make_page()], EVERYTHING)
    assert "logprobs" not in fake_llm.chat_requests[1].body
    assert result.value_of("patientDetails.patientName").confidence is None  # type: ignore[union-attr]


async def test_huge_output_is_refused_not_parsed(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(huge_reply(MAX_PARSE_CHARS + 1000))
    with pytest.raises(PermanentEngineError, match="was not parsed"):
        await make_engine(max_retries=3).extract([make_page()], EVERYTHING)
    assert len(fake_llm.chat_requests) == 1


async def test_a_huge_body_is_cut_off_while_reading(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(huge_reply(300_000))
    engine = make_engine(engine_kwargs={"max_body_bytes": 100_000})
    with pytest.raises(PermanentEngineError, match="larger than 100000 bytes"):
        await engine.extract([make_page()], EVERYTHING)


async def test_a_body_that_is_not_json_is_malformed(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(Raw(200, b"<html>maintenance</html>", "text/html"), json_reply(GOOD))
    result = await make_engine(max_retries=1).extract([make_page()], EVERYTHING)
    assert result.raw_output["attempts"] == 1  # one billed reply; the HTML was not one
    assert len(fake_llm.chat_requests) == 2


async def test_an_error_inside_a_200_is_transient(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    body = b'{"error": {"message": "Upstream provider overloaded", "code": 502}}'
    fake_llm.enqueue(Raw(200, body, "application/json"))
    with pytest.raises(TransientEngineError, match="Upstream provider overloaded"):
        await make_engine(max_retries=0).extract([make_page()], EVERYTHING)


async def test_an_unreachable_endpoint_is_transient(make_engine: EngineFactory) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    engine = make_engine(base_url=f"http://127.0.0.1:{port}/v1", max_retries=1)
    with pytest.raises(TransientEngineError, match="could not be reached"):
        await engine.extract([make_page()], EVERYTHING)


async def test_no_pages_or_unreadable_pages_are_refused(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    engine = make_engine()
    with pytest.raises(PermanentEngineError, match="no pages"):
        await engine.extract([], EVERYTHING)
    tiff = make_page().__class__(0, b"II*\x00", "image/tiff", 10, 10)
    with pytest.raises(PermanentEngineError, match="not image/tiff"):
        await engine.extract([tiff], EVERYTHING)
    assert fake_llm.chat_requests == []


async def test_reply_content_parts_are_joined(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    body = (
        b'{"choices": [{"message": {"role": "assistant", "content": ['
        b'{"type": "text", "text": "{\\"patientDetails\\": "},'
        b'{"type": "text", "text": "{\\"age\\": \\"7 Y\\"}}"}]}, "finish_reason": "stop"}]}'
    )
    fake_llm.enqueue(Raw(200, body, "application/json"))
    result = await make_engine().extract([make_page()], EVERYTHING)
    assert result.value_of("patientDetails.age").value == "7 Y"  # type: ignore[union-attr]


async def test_reply_without_choices_is_malformed(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.enqueue(Raw(200, b'{"id": "x"}', "application/json"))
    with pytest.raises(PermanentEngineError, match="no choices"):
        await make_engine(max_retries=0).extract([make_page()], EVERYTHING)


async def test_a_queued_reply_is_used_once(
    make_engine: EngineFactory, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.set_truth({"patientDetails": {"patientName": "Default Person"}})
    fake_llm.enqueue(Reply('{"patientDetails": {"patientName": "Queued Person"}}'))
    engine = make_engine()
    first = await engine.extract([make_page()], EVERYTHING)
    second = await engine.extract([make_page()], EVERYTHING)
    assert first.value_of("patientDetails.patientName").value == "Queued Person"  # type: ignore[union-attr]
    assert second.value_of("patientDetails.patientName").value == "Default Person"  # type: ignore[union-attr]
    assert fake_llm.pending == 0
