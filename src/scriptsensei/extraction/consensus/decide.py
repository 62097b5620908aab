"""One field's consensus from the engines' votes: group equal readings, weigh the groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from scriptsensei.extraction.consensus.compare import (
    REVIEW_WHEN_SINGLE,
    is_hard,
    leaf_key,
    same_reading,
)
from scriptsensei.extraction.consensus.votes import (
    FieldOutcome,
    FieldStatus,
    Thresholds,
    Vote,
)


@dataclass
class _Group:
    normalized: str
    votes: list[Vote] = field(default_factory=list)

    @property
    def weight(self) -> float:
        return sum(v.weight for v in self.votes)

    def best_vote(self) -> Vote:
        return max(self.votes, key=lambda v: v.weight)

    def confidence(self) -> float | None:
        known = [v for v in self.votes if v.confidence is not None]
        if not known:
            return None
        return sum(v.confidence or 0.0 for v in known) / len(known)


def _group(path: str, votes: Sequence[Vote]) -> list[_Group]:
    groups: list[_Group] = []
    for vote in votes:
        if vote.normalized is None:
            continue
        home = next((g for g in groups if same_reading(path, g.normalized, vote.normalized)), None)
        if home is None:
            home = _Group(vote.normalized)
            groups.append(home)
        home.votes.append(vote)
    # Heaviest first; on equal weight, more engines first; then the order engines came in.
    return sorted(groups, key=lambda g: (-g.weight, -len(g.votes)))


def _low(confidence: float | None, thresholds: Thresholds) -> bool:
    return confidence is not None and confidence < thresholds.confidence


def _status(path: str, groups: list[_Group], agreement: float, th: Thresholds) -> FieldStatus:
    confidence = groups[0].confidence()
    if sum(len(g.votes) for g in groups) == 1:
        return "single"
    if len(groups) > 1 and (is_hard(path) or agreement < th.agreement):
        return "conflict"
    return "low_confidence" if _low(confidence, th) else "agreed"


def _needs_review(path: str, status: FieldStatus, confidence: float | None, th: Thresholds) -> bool:
    if status in ("conflict", "low_confidence"):
        return True
    if status == "single":
        return leaf_key(path) in REVIEW_WHEN_SINGLE or _low(confidence, th)
    return False


def decide_field(path: str, votes: Sequence[Vote], thresholds: Thresholds) -> FieldOutcome:
    groups = _group(path, votes)
    if not groups:
        return FieldOutcome(path, None, None, None, None, "missing", False, tuple(votes))
    best = groups[0]
    total = sum(g.weight for g in groups)
    agreement = round(best.weight / total, 4) if total > 0 else 0.0
    status = _status(path, groups, agreement, thresholds)
    confidence = best.confidence()
    return FieldOutcome(
        path=path,
        value=best.best_vote().value,
        normalized=best.normalized,
        agreement=agreement,
        confidence=None if confidence is None else round(confidence, 4),
        status=status,
        needs_review=_needs_review(path, status, confidence, thresholds),
        votes=tuple(votes),
    )
