"""The consensus of a prescription: every field of every successful engine, compared."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scriptsensei.extraction.consensus.compare import comparable
from scriptsensei.extraction.consensus.decide import decide_field
from scriptsensei.extraction.consensus.medications import (
    MatchedMedication,
    match_medications,
    medications_of,
)
from scriptsensei.extraction.consensus.votes import (
    MIN_VOTE_WEIGHT,
    NEUTRAL_CONFIDENCE,
    Consensus,
    EngineReading,
    FieldOutcome,
    Thresholds,
    Vote,
)
from scriptsensei.extraction.engine import FieldValue
from scriptsensei.extraction.fields import MEDICATION_KEYS, medication_path, scalar_paths, unflatten


def _vote(reading: EngineReading, path: str, found: FieldValue) -> Vote:
    confidence = found.confidence
    trust = NEUTRAL_CONFIDENCE if confidence is None else confidence
    return Vote(
        engine=reading.engine,
        value=found.value,
        normalized=comparable(path, found.value),
        confidence=confidence,
        weight=max(reading.weight * trust, MIN_VOTE_WEIGHT),
        source_path=found.path,
    )


def _scalar_fields(readings: Sequence[EngineReading], th: Thresholds) -> list[FieldOutcome]:
    by_engine = [(r, {f.path: f for f in r.fields}) for r in readings]
    present = {path for _r, values in by_engine for path in values}
    outcomes = []
    for path in (p for p in scalar_paths() if p in present):
        votes = [_vote(r, path, values[path]) for r, values in by_engine if path in values]
        outcomes.append(decide_field(path, votes, th))
    return outcomes


def _medication_fields(
    position: int,
    medication: MatchedMedication,
    weights: Mapping[str, EngineReading],
    th: Thresholds,
) -> list[FieldOutcome]:
    outcomes = []
    for key in MEDICATION_KEYS:
        path = medication_path(position, key)
        votes = [
            _vote(weights[engine], path, member.values[key])
            for engine, member in medication.members.items()
            if key in member.values
        ]
        outcomes.append(decide_field(path, votes, th))
    return outcomes


def build_consensus(
    readings: Sequence[EngineReading], thresholds: Thresholds | None = None
) -> Consensus:
    """Field-by-field consensus of the engines' readings (medications matched by drug)."""
    th = thresholds or Thresholds()
    consensus = Consensus(_scalar_fields(readings, th))
    matched = match_medications([medications_of(r.engine, r.fields) for r in readings])
    by_engine = {r.engine: r for r in readings}
    for position, medication in enumerate(matched):
        consensus.fields.extend(_medication_fields(position, medication, by_engine, th))
    return consensus


def apply_review(
    consensus: Consensus | Mapping[str, str | None], decisions: Mapping[str, str | None]
) -> dict[str, Any]:
    """`extractedData`: the consensus values with the reviewers' decisions (dotted path ->
    final value, the latest per field) taking precedence."""
    flat = dict(consensus.values() if isinstance(consensus, Consensus) else consensus)
    flat.update(decisions)
    return unflatten(flat)
