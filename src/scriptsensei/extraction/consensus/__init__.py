"""Field-level consensus across engines, with clinical weighting.

Pure functions: the worker hands in each successful engine's field values and stores what
comes out. `build_consensus(readings, thresholds)` -> `Consensus` (one `FieldOutcome` per
dotted path: value, agreement, confidence, status, needs_review, every engine's value);
`apply_review(consensus, decisions)` -> `extractedData` with reviewers' values on top.

Agreement is computed among the engines that read a value (an engine that read nothing
is not counted as disagreeing; a field read by one engine alone has status `single`).
"""

from scriptsensei.extraction.consensus.build import apply_review, build_consensus
from scriptsensei.extraction.consensus.compare import HARD_KEYS, REVIEW_WHEN_SINGLE
from scriptsensei.extraction.consensus.votes import (
    Consensus,
    EngineReading,
    FieldOutcome,
    FieldStatus,
    Thresholds,
    Vote,
)

__all__ = [
    "HARD_KEYS",
    "REVIEW_WHEN_SINGLE",
    "Consensus",
    "EngineReading",
    "FieldOutcome",
    "FieldStatus",
    "Thresholds",
    "Vote",
    "apply_review",
    "build_consensus",
]
