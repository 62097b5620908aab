"""Reading a model's reply: find the JSON object, validate it, flatten it to field paths.

Models wrap JSON in code fences, add prose before or after it, say "NA" for unknown, give
numbers instead of strings and a single object where a list belongs. All of that is read.
What is never done: evaluating the reply as Python (single-quoted "JSON" is malformed), or
acting on anything it says. A reply is data, whatever text it contains.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, create_model

from scriptsensei.extraction.fields import FIELD_GROUPS, MEDICATIONS, clean_value

MAX_PARSE_CHARS = 512 * 1024  # a longer reply is refused, not parsed
MAX_VALUE_CHARS = 2000  # longer field values are cut (the raw reply keeps more)
MAX_MEDICATIONS = 60  # no prescription lists more; a runaway reply makes no more rows
MAX_JSON_CANDIDATES = 64  # opening braces tried before giving up on prose-wrapped JSON
WRAPPER_KEY = "extractedData"

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_DECODER = json.JSONDecoder(strict=False, parse_constant=lambda _: None)


class MalformedReplyError(ValueError):
    """The reply holds no usable JSON object. Asking again may help."""

    def __init__(self, reason: str, content: str) -> None:
        super().__init__(f"{reason}: {excerpt(content)!r}")
        self.reason = reason


class ReplyTooLargeError(ValueError):
    """The reply is larger than anything a prescription needs; it is not parsed."""


def excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


@dataclass(frozen=True)
class LocatedJson:
    data: dict[str, Any]
    start: int  # offset of the object's `{` in the reply, to map token log-probabilities
    prefix: str  # key path the fields sit under ("" or "extractedData.")


def _decode_at(content: str, start: int) -> dict[str, Any] | None:
    try:
        value, _ = _DECODER.raw_decode(content, start)
    except (json.JSONDecodeError, RecursionError):  # nesting no prescription has
        return None
    return value if isinstance(value, dict) else None


def _candidates(content: str) -> list[int]:
    """Where a JSON object may start: fenced blocks first, then every `{` in order."""
    fenced = [m.start(1) + _leading_ws(m.group(1)) for m in _FENCE.finditer(content)]
    braces = [m.start() for m in re.finditer(r"\{", content)]
    return (fenced + braces)[:MAX_JSON_CANDIDATES]


def _leading_ws(text: str) -> int:
    return len(text) - len(text.lstrip())


def locate_json(content: str) -> LocatedJson:
    """The first JSON object in the reply (the whole reply, a fenced block, or inside prose)."""
    if len(content) > MAX_PARSE_CHARS:
        raise ReplyTooLargeError(
            f"the reply is {len(content)} characters long, more than the {MAX_PARSE_CHARS} "
            "a prescription can need; it was not parsed"
        )
    for start in _candidates(content):
        data = _decode_at(content, start)
        if data is not None and _looks_like_extraction(data):
            return _unwrap(data, start)
    raise MalformedReplyError("the reply holds no JSON object of the prescription shape", content)


def _looks_like_extraction(data: dict[str, Any]) -> bool:
    """An empty object or one keyed by the shape's groups: not some inner object of a
    broken reply (`{"pulse": "72"}` out of unparseable outer JSON must not pass as empty)."""
    groups = {str(key).partition(".")[0] for key in data}
    return not data or bool(groups & (set(FIELD_GROUPS) | {WRAPPER_KEY}))


def _unwrap(data: dict[str, Any], start: int) -> LocatedJson:
    inner = data.get(WRAPPER_KEY)
    if isinstance(inner, dict) and not any(g in data for g in FIELD_GROUPS):
        return LocatedJson(inner, start, f"{WRAPPER_KEY}.")
    return LocatedJson(data, start, "")


def _to_text(value: Any) -> str | None:
    """A leaf value as text, bounded in length."""
    text = _as_text(value)
    if text is not None and len(text) > MAX_VALUE_CHARS:
        return text[:MAX_VALUE_CHARS] + "…"
    return text


def _as_text(value: Any) -> str | None:
    """Numbers and booleans as written, "NA" and blanks as null."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Mapping):
        parts = (f"{k}: {v}" for k, v in value.items() if clean_value(v) is not None)
        return clean_value(", ".join(parts))
    return clean_value(value)


Leaf = Annotated[str | None, BeforeValidator(_to_text)]
_IGNORE_EXTRA = ConfigDict(extra="ignore")


def _group_model(group: str) -> type[BaseModel]:
    fields: dict[str, Any] = {key: (Leaf, None) for key in FIELD_GROUPS[group]}
    return create_model(f"{group[0].upper()}{group[1:]}Reply", __config__=_IGNORE_EXTRA, **fields)


GROUP_MODELS: dict[str, type[BaseModel]] = {g: _group_model(g) for g in FIELD_GROUPS}


def _as_group(value: Any) -> Any:
    return value if isinstance(value, Mapping) else None


def _as_medication(item: Any) -> Any:
    if isinstance(item, str):  # a bare drug line
        return {"drugName": item}
    return item if isinstance(item, Mapping) else None


def _as_medication_list(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        # {"1": {...}, "2": {...}} or one medicine given as an object
        numbered = all(str(k).strip().isdigit() for k in value)
        value = list(value.values()) if numbered and value else [value]
    if not isinstance(value, list):
        value = [] if clean_value(value) is None else [value]
    meds = [m for m in (_as_medication(item) for item in value) if m is not None]
    return meds[:MAX_MEDICATIONS]


def _reply_model() -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for group, model in GROUP_MODELS.items():
        if group == MEDICATIONS:
            fields[group] = (Annotated[list[model], BeforeValidator(_as_medication_list)], [])  # type: ignore[valid-type]
        else:
            fields[group] = (Annotated[model | None, BeforeValidator(_as_group)], None)  # type: ignore[valid-type]
    return create_model("ExtractionReply", __config__=_IGNORE_EXTRA, **fields)


ExtractionReply = _reply_model()


def _nest_dotted_keys(data: dict[str, Any]) -> dict[str, Any]:
    """Accept `{"patientDetails.patientName": ...}` as well as the nested form."""
    nested: dict[str, Any] = {}
    for key, value in data.items():
        group, dot, leaf = key.partition(".")
        if dot and group in FIELD_GROUPS and group != MEDICATIONS:
            section = nested.setdefault(group, {})
            if isinstance(section, dict):
                section[leaf] = value
        else:
            nested.setdefault(key, value)
    return nested


def validate(data: dict[str, Any]) -> dict[str, str | None]:
    """The reply's values by dotted path (medications numbered), after validation."""
    try:
        model = ExtractionReply.model_validate(_nest_dotted_keys(data))
    except ValidationError as exc:  # pragma: no cover - every leaf coerces; kept as a guard
        raise MalformedReplyError(
            "the reply does not fit the prescription shape", str(exc)
        ) from exc
    flat: dict[str, str | None] = {}
    for group in FIELD_GROUPS:
        section = getattr(model, group)
        if group == MEDICATIONS:
            for i, med in enumerate(section):
                flat.update({f"{group}.{i}.{k}": v for k, v in med.model_dump().items()})
        elif section is not None:
            flat.update({f"{group}.{k}": v for k, v in section.model_dump().items()})
    return flat


@dataclass(frozen=True)
class ParsedReply:
    values: dict[str, str | None]  # every path the reply gave, after cleaning
    located: LocatedJson


def parse_reply(content: str) -> ParsedReply:
    located = locate_json(content)
    return ParsedReply(validate(located.data), located)
