"""Matching medications across engines by drug name, so that engines listing the same
drugs in a different order agree instead of conflicting at every index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from scriptsensei.extraction.engine import FieldValue
from scriptsensei.extraction.fields import MEDICATIONS, split_path
from scriptsensei.extraction.normalize import normalize_drug_name

# Canonical names this similar are the same drug read slightly differently.
SAME_DRUG_RATIO = 85.0


@dataclass
class EngineMedication:
    """One medication as one engine listed it."""

    engine: str
    index: int  # the engine's own position
    values: dict[str, FieldValue] = field(default_factory=dict)  # key -> value

    @property
    def drug(self) -> str | None:
        found = self.values.get("drugName")
        return normalize_drug_name(found.value) if found else None


@dataclass
class MatchedMedication:
    """The same drug across engines: at most one entry per engine."""

    members: dict[str, EngineMedication] = field(default_factory=dict)
    first_seen: int = 0

    @property
    def drug(self) -> str | None:
        return next((m.drug for m in self.members.values() if m.drug), None)

    def position(self) -> float:
        return sum(m.index for m in self.members.values()) / len(self.members)


def medications_of(engine: str, fields: Sequence[FieldValue]) -> list[EngineMedication]:
    """An engine's medication rows, in its order, from its `medications.N.key` values."""
    rows: dict[int, EngineMedication] = {}
    for value in fields:
        if not value.path.startswith(MEDICATIONS + "."):
            continue
        _group, index, key = split_path(value.path)
        assert index is not None  # a medications path always has an index
        rows.setdefault(index, EngineMedication(engine, index)).values[key] = value
    return [rows[i] for i in sorted(rows) if any(v.value for v in rows[i].values.values())]


def _similarity(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    return 100.0 if a == b else fuzz.ratio(a, b)


def _best_match(
    med: EngineMedication, matched: list[MatchedMedication]
) -> MatchedMedication | None:
    candidates = [
        (_similarity(med.drug, group.drug), -abs(group.position() - med.index), group)
        for group in matched
        if med.engine not in group.members
    ]
    good = [c for c in candidates if c[0] >= SAME_DRUG_RATIO]
    return max(good, key=lambda c: (c[0], c[1]))[2] if good else None


def match_medications(per_engine: Sequence[list[EngineMedication]]) -> list[MatchedMedication]:
    """Group the engines' medications by drug; the result is in consensus order (the mean
    position the engines gave the drug, then first appearance)."""
    matched: list[MatchedMedication] = []
    for medications in per_engine:
        for med in medications:
            home = _best_match(med, matched)
            if home is None:
                home = MatchedMedication(first_seen=len(matched))
                matched.append(home)
            home.members[med.engine] = med
    return sorted(matched, key=lambda g: (g.position(), g.first_seen))
