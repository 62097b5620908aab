"""The contract every extraction engine implements, and the values it returns.

Engines know nothing of the web or the database: they take page images and settings and
return one value per field with an honest confidence and where it was read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from scriptsensei.extraction.fields import unflatten

EngineKind = Literal["ocr", "llm"]


@dataclass(frozen=True)
class PageImage:
    """One page, encoded as PNG or JPEG bytes so it crosses process boundaries cheaply."""

    index: int  # 0-based page number within the document
    data: bytes
    content_type: str  # "image/png" or "image/jpeg"
    width: int
    height: int


@dataclass(frozen=True)
class ExtractionSettings:
    """What a run asks of an engine: which fields, and per-field prompt overrides."""

    selected_fields: tuple[str, ...] = ()  # group names, dotted paths; empty = everything
    custom_prompts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BoundingBox:
    """Where a value was read, as fractions (0..1) of the page's width and height."""

    x0: float
    y0: float
    x1: float
    y1: float

    def as_dict(self) -> dict[str, float]:
        return {"x0": self.x0, "y0": self.y0, "x1": self.x1, "y1": self.y1}


@dataclass(frozen=True)
class FieldValue:
    path: str  # dotted path in the extractedData shape
    value: str | None
    confidence: float | None  # 0..1, computed by the engine; None when it cannot tell
    page: int | None = None
    bbox: BoundingBox | None = None


@dataclass
class EngineResult:
    engine: str
    engine_version: str
    fields: list[FieldValue]
    raw_output: Any  # JSON-serialisable provenance: OCR lines, the model's reply...
    duration_ms: float
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    prompt: str | None = None  # the prompt sent, for provenance (LLM engines)

    def extracted_data(self) -> dict[str, Any]:
        return unflatten({f.path: f.value for f in self.fields})

    def value_of(self, path: str) -> FieldValue | None:
        return next((f for f in self.fields if f.path == path), None)


@dataclass(frozen=True)
class Availability:
    available: bool
    reason: str | None = None  # why not, in words an admin can act on


class EngineError(Exception):
    """An engine could not produce a result. `transient` errors are retried with backoff."""

    transient: bool = False

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientEngineError(EngineError):
    """Time-outs, rate limits, 5xx: worth another attempt later."""

    transient = True


class PermanentEngineError(EngineError):
    """Bad credentials, a rejected request, an unreadable image: retrying will not help."""

    transient = False


@runtime_checkable
class Engine(Protocol):
    name: str  # stable identifier stored in extraction_results.model_name
    version: str
    kind: EngineKind
    accepts: frozenset[str]  # page content types it reads

    def availability(self) -> Availability: ...

    async def extract(
        self, pages: Sequence[PageImage], settings: ExtractionSettings
    ) -> EngineResult: ...
