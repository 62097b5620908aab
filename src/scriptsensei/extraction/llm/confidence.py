"""Field confidence from the token log-probabilities an endpoint returns.

A field's confidence is the geometric-mean probability of the tokens that spell its value
in the reply: exp(mean logprob) over every token overlapping the value's characters. When
the endpoint returns no log-probabilities, or they do not line up with the reply's text,
there is no confidence (None): nothing is estimated from anything else.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scriptsensei.extraction.fields import MEDICATIONS
from scriptsensei.extraction.llm.reply import LocatedJson

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WS = re.compile(r"\s*")
_LITERALS = ("null", "true", "false", "NaN", "Infinity", "-Infinity")


@dataclass(frozen=True)
class TokenSpan:
    start: int  # character offsets in the reply
    end: int
    logprob: float


def token_spans(entries: Sequence[Any], content: str) -> list[TokenSpan] | None:
    """Character spans of the returned tokens, or None when they do not spell the reply."""
    spans: list[TokenSpan] = []
    pos = 0
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("token"), str):
            return None
        logprob = entry.get("logprob")
        if not isinstance(logprob, int | float) or math.isnan(logprob) or logprob > 0:
            return None
        end = pos + len(entry["token"])
        spans.append(TokenSpan(pos, end, float(logprob)))
        pos = end
    text = "".join(e["token"] for e in entries)
    offset = text.find(content) if content else -1
    if offset < 0:
        return None
    return [TokenSpan(s.start - offset, s.end - offset, s.logprob) for s in spans]


class _Scanner:
    """Walks one JSON value in the reply, recording each value's character span by path."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: dict[str, tuple[int, int]] = {}

    def skip_ws(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def value(self, pos: int, path: str) -> int:
        pos = self.skip_ws(pos)
        char = self.text[pos : pos + 1]
        if char == "{":
            end = self.container(pos, path, "}", self.member)
        elif char == "[":
            end = self.container(pos, path, "]", self.element)
        elif char == '"':
            end = int(json.decoder.scanstring(self.text, pos + 1, False)[1])  # type: ignore[attr-defined]
            # The value's own characters; an empty string is represented by its quotes.
            inner = (pos + 1, end - 1) if end - pos > 2 else (pos, end)
            self.spans[path] = inner
            return end
        else:
            end = self.scalar(pos)
        self.spans[path] = (pos, end)
        return end

    def scalar(self, pos: int) -> int:
        match = _NUMBER.match(self.text, pos)
        if match:
            return match.end()
        for literal in _LITERALS:
            if self.text.startswith(literal, pos):
                return pos + len(literal)
        raise ValueError(f"unexpected character at {pos}")

    def container(self, pos: int, path: str, close: str, item: Any) -> int:
        index = 0
        pos = self.skip_ws(pos + 1)
        while self.text[pos] != close:
            pos = self.skip_ws(item(pos, path, index))
            index += 1
            if self.text[pos] == ",":
                pos = self.skip_ws(pos + 1)
        return pos + 1

    def member(self, pos: int, path: str, _: int) -> int:
        key, pos = json.decoder.scanstring(self.text, pos + 1, False)  # type: ignore[attr-defined]
        pos = self.skip_ws(pos) + 1  # the colon
        return self.value(pos, f"{path}.{key}" if path else key)

    def element(self, pos: int, path: str, index: int) -> int:
        return self.value(pos, f"{path}.{index}")


def value_spans(content: str, located: LocatedJson) -> dict[str, tuple[int, int]]:
    """Character span of every value in the located JSON object, by dotted path."""
    scanner = _Scanner(content)
    try:
        scanner.value(located.start, "")
    except (ValueError, IndexError, RecursionError):
        return {}
    spans = {p.removeprefix(located.prefix): span for p, span in scanner.spans.items() if p}
    if not _medications_align(located.data):
        spans = {p: s for p, s in spans.items() if not p.startswith(f"{MEDICATIONS}.")}
    return spans


def _medications_align(data: dict[str, Any]) -> bool:
    """True when the reply's medication indexes are the validated ones (a list of objects);
    otherwise validation renumbered them and a span could be pinned on the wrong medicine."""
    meds = data.get(MEDICATIONS)
    return isinstance(meds, list) and all(isinstance(m, dict) for m in meds)


def span_confidence(span: tuple[int, int], tokens: Sequence[TokenSpan]) -> float | None:
    start, end = span
    logprobs = [t.logprob for t in tokens if t.start < end and t.end > start]
    if not logprobs:
        return None
    return min(1.0, math.exp(sum(logprobs) / len(logprobs)))


def field_confidences(
    content: str, located: LocatedJson, logprob_entries: Sequence[Any] | None
) -> dict[str, float]:
    """Confidence by dotted path for every value whose tokens are known."""
    if not logprob_entries:
        return {}
    tokens = token_spans(logprob_entries, content)
    if tokens is None:
        return {}
    out: dict[str, float] = {}
    for path, span in value_spans(content, located).items():
        confidence = span_confidence(span, tokens)
        if confidence is not None:
            out[path] = confidence
    return out
