"""Vision LLMs behind OpenAI-compatible chat-completions endpoints, as extraction engines.

One engine per configured endpoint (`openai`, `claude`, `gemini` through OpenRouter by
default, local Ollama or vLLM servers, anything else declared in settings).

Retries: each request is retried on time-outs, 429 and 5xx up to `max_retries` times (in
the client); a reply that holds no usable JSON is asked again, also up to `max_retries`
times. Every reply received is billed, so tokens and cost add up over all of them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import structlog

from scriptsensei.core.settings import LLMEngineSettings
from scriptsensei.extraction.engine import (
    Availability,
    EngineKind,
    EngineResult,
    ExtractionSettings,
    FieldValue,
    PageImage,
    PermanentEngineError,
)
from scriptsensei.extraction.fields import MEDICATIONS
from scriptsensei.extraction.llm.client import (
    MAX_BODY_BYTES,
    ChatCompletionsClient,
    ChatReply,
    Sleep,
)
from scriptsensei.extraction.llm.confidence import field_confidences
from scriptsensei.extraction.llm.images import MAX_IMAGE_SIDE, data_url, scaled_page
from scriptsensei.extraction.llm.prompt import PROMPT_VERSION, Prompt, build_prompt
from scriptsensei.extraction.llm.reply import (
    MalformedReplyError,
    ParsedReply,
    ReplyTooLargeError,
    parse_reply,
)
from scriptsensei.extraction.llm.retry import BackoffPolicy

log = structlog.get_logger(__name__)

MAX_STORED_REPLY_CHARS = 256 * 1024  # the raw reply kept for provenance is cut here
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})


@dataclass
class _Usage:
    """Tokens billed across every attempt of one extraction (malformed replies cost too)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    replies: list[ChatReply] = field(default_factory=list)

    def add(self, reply: ChatReply) -> None:
        self.replies.append(reply)
        if reply.input_tokens is not None:
            self.input_tokens = (self.input_tokens or 0) + reply.input_tokens
        if reply.output_tokens is not None:
            self.output_tokens = (self.output_tokens or 0) + reply.output_tokens


def page_content_part(page: PageImage, max_side: int = MAX_IMAGE_SIDE) -> dict[str, Any]:
    url = data_url(*scaled_page(page, max_side))
    return {"type": "image_url", "image_url": {"url": url}}


def build_messages(
    prompt: Prompt, pages: Sequence[PageImage], max_side: int = MAX_IMAGE_SIDE
) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [{"type": "text", "text": prompt.user}]
    ordered = sorted(pages, key=lambda p: p.index)
    parts.extend(page_content_part(page, max_side) for page in ordered)
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": parts}]


class ChatCompletionsEngine:
    kind: EngineKind = "llm"
    accepts: frozenset[str] = IMAGE_TYPES

    def __init__(
        self,
        cfg: LLMEngineSettings,
        *,
        backoff: BackoffPolicy | None = None,
        sleep: Sleep | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_image_side: int = MAX_IMAGE_SIDE,
    ) -> None:
        self.cfg = cfg
        self.max_image_side = max_image_side
        self.name = cfg.name
        self.version = f"{cfg.model}+prompt-{PROMPT_VERSION}"
        extra = {"sleep": sleep} if sleep is not None else {}
        self.client = ChatCompletionsClient(
            cfg, backoff=backoff, max_body_bytes=max_body_bytes, **extra
        )

    def availability(self) -> Availability:
        url = urlsplit(self.cfg.base_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            return Availability(False, f"base_url '{self.cfg.base_url}' is not an http(s) URL")
        if not self.cfg.requires_key:
            return Availability(True)
        if not self.cfg.api_key_env:
            return Availability(False, "needs an API key but no api_key_env is configured")
        if self.client.api_key() is None:
            return Availability(
                False, f"needs an API key: set the environment variable {self.cfg.api_key_env}"
            )
        return Availability(True)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def extract(
        self, pages: Sequence[PageImage], settings: ExtractionSettings
    ) -> EngineResult:
        self._check_ready(pages)
        started = time.perf_counter()
        prompt = self._prompt(settings)
        # Scaling and base64 of large scans is CPU work: keep it off the event loop.
        messages = await asyncio.to_thread(build_messages, prompt, pages, self.max_image_side)
        usage = _Usage()
        parsed, reply = await self._ask(messages, usage)
        duration_ms = (time.perf_counter() - started) * 1000
        log.info(
            "llm_extracted",
            engine=self.name,
            attempts=len(usage.replies),
            duration_ms=round(duration_ms, 1),
            output_tokens=usage.output_tokens,
        )
        return EngineResult(
            engine=self.name,
            engine_version=self.version,
            fields=result_fields(parsed, reply, prompt.fields),
            raw_output=self._raw_output(reply, usage),
            duration_ms=duration_ms,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=self._cost(usage),
            prompt=prompt.as_text(),
        )

    def _prompt(self, settings: ExtractionSettings) -> Prompt:
        prompt = build_prompt(settings)
        if not prompt.fields:
            chosen = ", ".join(settings.selected_fields)
            raise PermanentEngineError(f"the run selects no field of the prescription: {chosen}")
        return prompt

    def _check_ready(self, pages: Sequence[PageImage]) -> None:
        availability = self.availability()
        if not availability.available:
            raise PermanentEngineError(
                f"engine {self.name} is not available: {availability.reason}"
            )
        if not pages:
            raise PermanentEngineError(f"engine {self.name} was given no pages to read")
        unreadable = sorted({p.content_type for p in pages} - self.accepts)
        if unreadable:
            raise PermanentEngineError(
                f"engine {self.name} reads PNG or JPEG pages, not {', '.join(unreadable)}"
            )

    async def _ask(
        self, messages: list[dict[str, Any]], usage: _Usage
    ) -> tuple[ParsedReply, ChatReply]:
        """Ask until a reply parses; a malformed reply is asked again, up to max_retries."""
        attempts = self.cfg.max_retries + 1
        last: MalformedReplyError | None = None
        for _ in range(attempts):
            try:
                reply = await self.client.complete(messages)
                usage.add(reply)
                return parse_reply(reply.content), reply
            except ReplyTooLargeError as exc:
                raise PermanentEngineError(f"engine {self.name}: {exc}") from exc
            except MalformedReplyError as exc:
                last = self._note_malformed(exc, usage)
        raise PermanentEngineError(
            f"engine {self.name} returned no usable JSON after {attempts} attempt(s): {last}"
        )

    def _note_malformed(self, exc: MalformedReplyError, usage: _Usage) -> MalformedReplyError:
        cut_off = bool(usage.replies) and usage.replies[-1].finish_reason == "length"
        log.warning("llm_reply_malformed", engine=self.name, error=str(exc), cut_off=cut_off)
        if cut_off:
            note = f"the reply was cut off at max_output_tokens={self.cfg.max_output_tokens}"
            exc.args = (f"{exc} ({note})",)
        return exc

    def _raw_output(self, reply: ChatReply, usage: _Usage) -> dict[str, Any]:
        content = reply.content
        return {
            "reply": content[:MAX_STORED_REPLY_CHARS],
            "reply_truncated": len(content) > MAX_STORED_REPLY_CHARS,
            "reply_chars": len(content),
            "model": reply.model,
            "response_id": reply.response_id,
            "finish_reason": reply.finish_reason,
            "json_mode": reply.json_mode,
            "logprobs": reply.logprobs is not None,
            "attempts": len(usage.replies),
        }

    def _cost(self, usage: _Usage) -> float | None:
        if usage.input_tokens is None or usage.output_tokens is None:
            return None
        return (
            usage.input_tokens * self.cfg.input_price_per_mtok
            + usage.output_tokens * self.cfg.output_price_per_mtok
        ) / 1_000_000


def _medication_indexes(values: dict[str, str | None]) -> list[int]:
    """Indexes of medicines with at least one value: a template echoed back with nulls
    is not a medicine."""
    filled = {
        int(path.split(".")[1])
        for path, value in values.items()
        if path.startswith(f"{MEDICATIONS}.") and value is not None
    }
    return sorted(filled)


def result_fields(parsed: ParsedReply, reply: ChatReply, fields: Sequence[str]) -> list[FieldValue]:
    """One FieldValue per selected field (per medicine for medication keys)."""
    values = parsed.values
    confidences = field_confidences(reply.content, parsed.located, reply.logprobs)
    out: list[FieldValue] = []
    for path in (f for f in fields if not f.startswith(f"{MEDICATIONS}.")):
        out.append(FieldValue(path, values.get(path), confidences.get(path)))
    med_keys = [f.partition(".")[2] for f in fields if f.startswith(f"{MEDICATIONS}.")]
    for new, old in enumerate(_medication_indexes(values) if med_keys else []):
        for key in med_keys:
            source = f"{MEDICATIONS}.{old}.{key}"
            out.append(
                FieldValue(
                    f"{MEDICATIONS}.{new}.{key}", values.get(source), confidences.get(source)
                )
            )
    return out
