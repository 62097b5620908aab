"""What the consensus reads (each engine's values) and what it decides (one outcome per field)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from scriptsensei.extraction.engine import FieldValue

FieldStatus = Literal["agreed", "conflict", "low_confidence", "single", "missing"]

# An engine that cannot tell how sure it is counts as neither sure nor unsure.
NEUTRAL_CONFIDENCE = 0.5
# A vote never weighs nothing: a confidence of 0 still says what the engine read.
MIN_VOTE_WEIGHT = 0.05


@dataclass(frozen=True)
class EngineReading:
    """One successful engine's values for a prescription."""

    engine: str
    fields: Sequence[FieldValue]
    weight: float = 1.0  # an engine trusted more (from reviewers' corrections) weighs more


@dataclass(frozen=True)
class Thresholds:
    agreement: float = 0.67  # below this share of agreeing weight, a field needs review
    confidence: float = 0.6  # below this consensus confidence, a field needs review


@dataclass(frozen=True)
class Vote:
    """One engine's value for one field of the consensus."""

    engine: str
    value: str | None
    normalized: str | None
    confidence: float | None
    weight: float  # the engine's weight times its confidence
    source_path: str  # the engine's own path (its medication index may differ)

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "confidence": self.confidence, "path": self.source_path}


@dataclass(frozen=True)
class FieldOutcome:
    path: str
    value: str | None  # the original text of the best-supported reading
    normalized: str | None
    agreement: float | None  # share of the reading engines' weight that agrees
    confidence: float | None
    status: FieldStatus
    needs_review: bool
    votes: tuple[Vote, ...] = ()

    def engine_values(self) -> dict[str, dict[str, Any]]:
        """engine -> {value, confidence, path}: what each engine read, where."""
        return {v.engine: v.as_dict() for v in self.votes}


@dataclass
class Consensus:
    fields: list[FieldOutcome] = field(default_factory=list)

    def values(self) -> dict[str, str | None]:
        return {f.path: f.value for f in self.fields}

    def needing_review(self) -> list[FieldOutcome]:
        return [f for f in self.fields if f.needs_review]

    def summary(self) -> dict[str, Any]:
        """Counts for events and lists: fields read, fields needing review, mean agreement."""
        read = [f for f in self.fields if f.status != "missing"]
        scores = [f.agreement for f in read if f.agreement is not None]
        return {
            "fields": len(read),
            "needingReview": len(self.needing_review()),
            "agreement": round(sum(scores) / len(scores), 3) if scores else None,
        }
