"""The review page's rows: for each field, every engine's value side by side, the
consensus, the agreement, the reviewer's decision and where on the page it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scriptsensei.extraction.fields import (
    FIELD_GROUPS,
    MEDICATIONS,
    flatten,
    is_valid_path,
    split_path,
)
from scriptsensei.models import ExtractionResult, FieldConsensus, ReviewDecision
from scriptsensei.review.service import ReviewView

GROUP_LABELS = {
    "prescriptionType": "Prescription type",
    "patientDetails": "Patient",
    "clinicalDetails": "Clinical details",
    "vitals": "Vitals",
    "medications": "Medications",
    "advice": "Advice",
    "doctorDetails": "Doctor",
    "clinicDetails": "Clinic",
}

# Colour is never the only signal: each state has an icon and a word.
STATES = {
    "reviewed": ("✓", "Reviewed"),
    "needs_review": ("!", "Needs review"),
    "conflict": ("✗", "Conflict"),
    "agreed": ("✓", "Agreed"),
    "single": ("•", "One engine"),
    "low_confidence": ("?", "Low confidence"),
    "missing": ("∅", "Not read"),
    "unknown": ("•", "No consensus"),
}


@dataclass(frozen=True)
class EngineReading:
    engine: str
    value: str | None
    confidence: float | None
    page: int | None
    bbox: dict[str, float] | None


@dataclass
class FieldRow:
    path: str
    label: str
    final: str | None
    readings: dict[str, EngineReading] = field(default_factory=dict)
    consensus: FieldConsensus | None = None
    decision: ReviewDecision | None = None

    @property
    def state(self) -> str:
        if self.decision is not None:
            return "reviewed"
        if self.consensus is None:
            return "unknown"
        if self.consensus.needs_review:
            return "conflict" if self.consensus.status == "conflict" else "needs_review"
        return self.consensus.status if self.consensus.status in STATES else "agreed"

    @property
    def needs_review(self) -> bool:
        return self.state in ("needs_review", "conflict")

    @property
    def icon(self) -> str:
        return STATES[self.state][0]

    @property
    def state_label(self) -> str:
        return STATES[self.state][1]


@dataclass
class FieldGroup:
    name: str
    label: str
    rows: list[FieldRow]


def _order(path: str) -> tuple[int, int, int]:
    group, index, key = split_path(path)
    groups = list(FIELD_GROUPS)
    keys = FIELD_GROUPS.get(group, ())
    return (
        groups.index(group) if group in groups else len(groups),
        index if index is not None else -1,
        keys.index(key) if key in keys else len(keys),
    )


def _label(path: str) -> str:
    _, index, key = split_path(path)
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in key).strip()
    words = words[:1].upper() + words[1:]
    return f"{index + 1}. {words}" if index is not None else words


def _readings(results: list[ExtractionResult]) -> dict[str, dict[str, EngineReading]]:
    out: dict[str, dict[str, EngineReading]] = {}
    for r in results:
        reading = EngineReading(r.model_name, r.extracted_value, r.confidence, r.page, r.bbox)
        out.setdefault(r.field_name, {})[r.model_name] = reading
    return out


def _latest_decisions(decisions: list[ReviewDecision]) -> dict[str, ReviewDecision]:
    latest: dict[str, ReviewDecision] = {}
    for decision in decisions:  # newest first: keep the first seen
        latest.setdefault(decision.field_name, decision)
    return latest


def _paths(view: ReviewView, final: dict[str, str | None]) -> list[str]:
    paths = {c.field_name for c in view.consensus} | {r.field_name for r in view.results}
    paths |= {path for path, value in final.items() if value is not None}
    return sorted((p for p in paths if is_valid_path(p)), key=_order)


def field_groups(view: ReviewView) -> list[FieldGroup]:
    final = flatten(view.prescription.extracted_data)
    readings = _readings(view.results)
    consensus = {c.field_name: c for c in view.consensus}
    decisions = _latest_decisions(view.decisions)
    groups: dict[str, FieldGroup] = {}
    for path in _paths(view, final):
        group = path.split(".")[0]
        target = groups.setdefault(group, FieldGroup(group, GROUP_LABELS.get(group, group), []))
        row = FieldRow(path, _label(path), final.get(path), readings.get(path, {}))
        row.consensus, row.decision = consensus.get(path), decisions.get(path)
        target.rows.append(row)
    return list(groups.values())


def engines_of(view: ReviewView) -> list[str]:
    """The engines whose values are shown, in the order of the latest run's engine runs."""
    names: list[str] = []
    for _, engine_runs in view.runs[-1:]:
        names += [er.engine_name for er in engine_runs]
    names += sorted({r.model_name for r in view.results} - set(names))
    return list(dict.fromkeys(names))


def page_numbers(view: ReviewView) -> list[int]:
    count = view.prescription.page_count or 1
    return list(range(1, count + 1))


def medication_count(groups: list[FieldGroup]) -> int:
    meds = next((g for g in groups if g.name == MEDICATIONS), None)
    if meds is None:
        return 0
    return len({split_path(r.path)[1] for r in meds.rows})


def bbox_attr(reading: EngineReading | None) -> dict[str, Any]:
    """data-* attributes for the image highlight (fractions of the page)."""
    if reading is None or not reading.bbox:
        return {}
    box = reading.bbox
    return {
        "page": reading.page or 0,  # 0-based, as the engines report it
        "box": ",".join(f"{box.get(k, 0):.4f}" for k in ("x0", "y0", "x1", "y1")),
    }
