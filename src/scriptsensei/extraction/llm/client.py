"""One OpenAI-compatible chat-completions endpoint: the HTTP call, its errors and retries.

Time-outs, 429 and 5xx are retried here with capped exponential backoff (honouring
`Retry-After`), then surface as TransientEngineError so the job queue can reschedule.
Rejected keys and rejected requests are PermanentEngineError with the server's message.
Replies are read with a size limit, so a runaway endpoint cannot exhaust memory.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from scriptsensei.core.settings import LLMEngineSettings
from scriptsensei.extraction.engine import PermanentEngineError, TransientEngineError
from scriptsensei.extraction.llm.reply import MalformedReplyError, excerpt
from scriptsensei.extraction.llm.retry import BackoffPolicy, parse_retry_after

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 8 * 1024 * 1024  # a reply body beyond this is cut off and refused
TRANSIENT_STATUSES = frozenset({408, 409, 425, 429})
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class ChatReply:
    content: str
    logprobs: list[Any] | None  # `choices[0].logprobs.content` when the endpoint sent them
    input_tokens: int | None
    output_tokens: int | None
    model: str | None
    finish_reason: str | None
    response_id: str | None
    json_mode: bool  # whether `response_format` was accepted for this reply


class _UnsupportedOption(Exception):
    """The endpoint rejected an optional request field; ask again without it."""

    def __init__(self, option: str) -> None:
        super().__init__(option)
        self.option = option


def server_message(body: bytes) -> str:
    """The human-readable message of an error reply, whatever shape the server uses."""
    text = body.decode("utf-8", "replace")
    try:
        payload = json.loads(text)
    except ValueError:
        return excerpt(text, 300) or "(empty reply)"
    error = payload.get("error", payload) if isinstance(payload, dict) else payload
    if isinstance(error, dict):
        error = error.get("message") or error.get("detail") or error
    return excerpt(error if isinstance(error, str) else json.dumps(error), 300)


class ChatCompletionsClient:
    def __init__(
        self,
        cfg: LLMEngineSettings,
        *,
        backoff: BackoffPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.cfg = cfg
        self.url = cfg.base_url.rstrip("/") + "/chat/completions"
        self.backoff = backoff or BackoffPolicy()
        self._sleep = sleep
        self._max_body_bytes = max_body_bytes
        # Optional request fields, switched off for good once the endpoint rejects them.
        self.options = {"response_format": True, "logprobs": True}
        self._http: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight = 0
        self._closing = False

    def api_key(self) -> str | None:
        env = self.cfg.api_key_env
        if not env:
            return None
        return os.environ.get(env, "").strip() or None

    def _client(self) -> httpx.AsyncClient:
        # One pooled client per engine, re-made only if used from another event loop
        # (its connections belong to the loop that opened them).
        loop = asyncio.get_running_loop()
        if self._http is None or self._http.is_closed or self._loop is not loop:
            timeout = httpx.Timeout(self.cfg.timeout_seconds)
            self._http = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
            self._loop = loop
        return self._http

    @property
    def connected(self) -> bool:
        """Whether a pooled HTTP client is open."""
        return self._http is not None and not self._http.is_closed

    async def aclose(self) -> None:
        """Close the pooled connections now, or as soon as the calls in flight have ended (an
        engine replaced by a settings change may still be finishing a run)."""
        self._closing = True
        if self._in_flight == 0:
            await self._close_now()

    async def _close_now(self) -> None:
        self._closing = False
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _payload(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.cfg.model,
            "messages": messages,
            "max_tokens": self.cfg.max_output_tokens,
            "temperature": 0,
        }
        if self.options["response_format"]:
            payload["response_format"] = {"type": "json_object"}
        if self.options["logprobs"]:
            payload["logprobs"] = True
        return payload

    def _headers(self) -> dict[str, str]:
        headers = {"X-Title": "ScriptSensei"}
        key = self.api_key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    async def complete(self, messages: list[dict[str, Any]]) -> ChatReply:
        """One reply, after as many retries of transient failures as the settings allow."""
        self._in_flight += 1
        try:
            return await self._complete(messages)
        finally:
            self._in_flight -= 1
            if self._closing and self._in_flight == 0:
                await self._close_now()

    async def _complete(self, messages: list[dict[str, Any]]) -> ChatReply:
        retries = 0
        while True:
            try:
                return await self._attempt(messages)
            except _UnsupportedOption as exc:
                log.info("llm_option_unsupported", engine=self.cfg.name, option=exc.option)
                self.options[exc.option] = False
            except TransientEngineError as exc:
                delay = self._retry_delay(exc, retries)
                log.warning(
                    "llm_transient_error",
                    engine=self.cfg.name,
                    error=str(exc),
                    retry=retries + 1,
                    delay=delay,
                )
                await self._sleep(delay)
                retries += 1

    def _retry_delay(self, exc: TransientEngineError, retries: int) -> float:
        """The wait before the next try; re-raises when this engine should try no more."""
        delay = exc.retry_after if exc.retry_after is not None else self.backoff.delay(retries)
        if retries >= self.cfg.max_retries or delay > self.backoff.cap_seconds:
            # Give the wait to the job queue, which reschedules instead of blocking a worker.
            raise TransientEngineError(
                f"{exc} (gave up after {retries + 1} attempt(s))", retry_after=delay
            ) from exc
        return delay

    async def _attempt(self, messages: list[dict[str, Any]]) -> ChatReply:
        payload = self._payload(messages)
        try:
            async with asyncio.timeout(self.cfg.timeout_seconds):
                status, headers, body = await self._post(payload)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise TransientEngineError(
                f"engine {self.cfg.name} did not reply within {self.cfg.timeout_seconds:g} s"
            ) from exc
        except httpx.TransportError as exc:
            raise TransientEngineError(
                f"engine {self.cfg.name} could not be reached at {self.url}: {exc!r}"
            ) from exc
        self._raise_for_status(status, headers, body)
        return self._decode(body, payload)

    async def _post(self, payload: dict[str, Any]) -> tuple[int, httpx.Headers, bytes]:
        request = self._client().build_request(
            "POST", self.url, json=payload, headers=self._headers()
        )
        response = await self._client().send(request, stream=True)
        try:
            return response.status_code, response.headers, await self._read_bounded(response)
        finally:
            await response.aclose()

    async def _read_bounded(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self._max_body_bytes:
                raise PermanentEngineError(
                    f"engine {self.cfg.name} sent a reply larger than "
                    f"{self._max_body_bytes} bytes; it was cut off and not parsed"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _raise_for_status(self, status: int, headers: httpx.Headers, body: bytes) -> None:
        if 200 <= status < 300:
            return
        message = server_message(body)
        name = self.cfg.name
        if status == 400:
            self._check_unsupported_option(message)
            raise PermanentEngineError(f"engine {name} rejected the request (HTTP 400): {message}")
        if status in (401, 403):
            raise PermanentEngineError(
                f"the API key for engine {name} was rejected (HTTP {status}: {message}); "
                f"check the environment variable {self.cfg.api_key_env or '(none configured)'}"
            )
        if status in TRANSIENT_STATUSES or status >= 500:
            retry_after = parse_retry_after(headers.get("retry-after"))
            raise TransientEngineError(
                f"engine {name} answered HTTP {status}: {message}", retry_after=retry_after
            )
        if status == 404:
            raise PermanentEngineError(
                f"engine {name}: model '{self.cfg.model}' or URL {self.url} not found "
                f"(HTTP 404): {message}"
            )
        raise PermanentEngineError(f"engine {name} answered HTTP {status}: {message}")

    def _check_unsupported_option(self, message: str) -> None:
        lowered = message.lower()
        for option, marker in (("response_format", "response_format"), ("logprobs", "logprob")):
            if self.options[option] and marker in lowered:
                raise _UnsupportedOption(option)

    def _decode(self, body: bytes, payload: dict[str, Any]) -> ChatReply:
        text = body.decode("utf-8", "replace")
        try:
            data = json.loads(text)
        except ValueError:
            raise MalformedReplyError("the endpoint's reply is not JSON", text) from None
        choice = _first_choice(data, text)
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return ChatReply(
            content=_content_text(choice, text),
            logprobs=_logprob_entries(choice),
            input_tokens=_int_or_none(usage.get("prompt_tokens")),
            output_tokens=_int_or_none(usage.get("completion_tokens")),
            model=data.get("model") if isinstance(data.get("model"), str) else None,
            finish_reason=choice.get("finish_reason"),
            response_id=data.get("id") if isinstance(data.get("id"), str) else None,
            json_mode="response_format" in payload,
        )


def _first_choice(data: Any, text: str) -> dict[str, Any]:
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        if isinstance(data, dict) and data.get("error"):
            # Some gateways answer 200 with an error object: a failure upstream of them.
            raise TransientEngineError(
                f"the endpoint reported an error: {server_message(text.encode())}"
            )
        raise MalformedReplyError("the endpoint's reply has no choices", text)
    return choices[0]


def _content_text(choice: dict[str, Any], text: str) -> str:
    message: dict[str, Any] = choice["message"] if isinstance(choice.get("message"), dict) else {}
    content = message.get("content")
    if isinstance(content, list):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str) or not content.strip():
        refusal = message.get("refusal")
        reason = f"the model declined: {refusal}" if refusal else "the reply is empty"
        raise MalformedReplyError(reason, text)
    return content


def _logprob_entries(choice: dict[str, Any]) -> list[Any] | None:
    logprobs = choice.get("logprobs")
    entries = logprobs.get("content") if isinstance(logprobs, dict) else None
    return entries if isinstance(entries, list) and entries else None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
