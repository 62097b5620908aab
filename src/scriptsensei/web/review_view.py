"""The review page's rows: for each field, every engine's value side by side, the
consensus, the agreement, the reviewer's decision and where on the page it was read.

OCR engines say where they read each value. Vision LLM engines do not: their values, and
the consensus, are looked for among the OCR lines of the same processing run
(`value_location`), and get no box when they cannot be found there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from scriptsensei.extraction.fields import (
    FIELD_GROUPS,
    MEDICATIONS,
    flatten,
    is_valid_path,
    medication_path,
    split_path,
)
from scriptsensei.models import ExtractionResult, FieldConsensus, ReviewDecision
from scriptsensei.review.service import ReviewView
from scriptsensei.web.value_location import Box, LineIndex, lines_from_raw, value_words

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
class Place:
    """Where a value is on a page: the box its engine reported, in fractions of the page,
    or (`found`) where its text was found among the OCR lines, in pixels of the page."""

    page: int  # 0-based
    box: tuple[float, float, float, float]  # x0, y0, x1, y1
    found: bool = False

    @classmethod
    def reported(cls, page: int | None, bbox: Mapping[str, float]) -> Place:
        x0, y0, x1, y1 = (float(bbox.get(k, 0.0)) for k in ("x0", "y0", "x1", "y1"))
        return cls(page or 0, (x0, y0, x1, y1))

    @classmethod
    def found_at(cls, box: Box) -> Place:
        return cls(box.page, (box.x0, box.y0, box.x1, box.y1), found=True)


@dataclass(frozen=True)
class EngineReading:
    engine: str
    value: str | None
    confidence: float | None
    page: int | None
    bbox: dict[str, float] | None
    place: Place | None = None


@dataclass
class FieldRow:
    path: str
    label: str
    final: str | None
    readings: dict[str, EngineReading] = field(default_factory=dict)
    consensus: FieldConsensus | None = None
    decision: ReviewDecision | None = None
    consensus_place: Place | None = None

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
        place = Place.reported(r.page, r.bbox) if r.bbox else None
        reading = EngineReading(
            r.model_name, r.extracted_value, r.confidence, r.page, r.bbox, place
        )
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
        row = FieldRow(path, _label(path), final.get(path), dict(readings.get(path, {})))
        row.consensus, row.decision = consensus.get(path), decisions.get(path)
        target.rows.append(row)
    place_values([row for g in groups.values() for row in g.rows], ValueFinder.of(view))
    return list(groups.values())


class ValueFinder:
    """Finds values on the page among the OCR lines of the processing run they come from
    (each OCR engine's lines searched on their own; the best match wins)."""

    def __init__(self, indexes: Mapping[str, LineIndex]) -> None:
        self.indexes = dict(indexes)  # OCR engine name -> its lines

    @classmethod
    def of(cls, view: ReviewView) -> ValueFinder:
        run_ids = {r.engine_run_id for r in view.results if r.engine_run_id}
        for _, engine_runs in reversed(view.runs):
            if run_ids & {er.id for er in engine_runs}:
                lines = {er.engine_name: lines_from_raw(er.raw_output) for er in engine_runs}
                return cls({name: LineIndex(read) for name, read in lines.items() if read})
        return cls({})

    def find(self, value: str | None, near: Box | None = None) -> Box | None:
        best = None
        for index in self.indexes.values():
            found = index.find(value, near)
            if found is not None and (best is None or found.score > best.score):
                best = found
        return best.box if best is not None else None

    def where_ocr_read(self, row: FieldRow) -> Box | None:
        """Where the OCR engines' own values for the row are, found in their own lines."""
        for name, index in self.indexes.items():
            reading = row.readings.get(name)
            found = index.find(reading.value) if reading is not None else None
            if found is not None:
                return found.box
        return None


def _hints(rows: list[FieldRow], finder: ValueFinder) -> dict[str, Box | None]:
    """Near what each row's values are expected: where the OCR engines read the field; for
    a medication field, else where its medication's drug name is."""
    hints = {row.path: finder.where_ocr_read(row) for row in rows}
    for row in rows:
        if split_path(row.path)[2] == "drugName" and hints[row.path] is None:
            values = [row.consensus.value if row.consensus else None]
            values += [r.value for r in row.readings.values()]
            hints[row.path] = next(filter(None, map(finder.find, values)), None)
    for row in rows:
        index = split_path(row.path)[1]
        if index is not None and hints[row.path] is None:
            hints[row.path] = hints.get(medication_path(index, "drugName"))
    return hints


def place_values(rows: list[FieldRow], finder: ValueFinder) -> None:
    """Give a place to the values no engine placed. A medication's values recur from one
    medication to the next (Tab, BD, 5 days): they are only looked for near their own."""
    if not finder.indexes:
        return
    hints = _hints(rows, finder)
    for row in rows:
        near = hints[row.path]
        searchable = near is not None or split_path(row.path)[1] is None
        _place_row(row, finder if searchable else None, near)


def _place_row(row: FieldRow, finder: ValueFinder | None, near: Box | None) -> None:
    """Each unplaced value takes the box of an engine that read the same value, else where
    `finder` finds it among the OCR lines."""
    reported = {_folded(r.value): r.place for r in row.readings.values() if r.place and r.value}

    def place_of(value: str | None) -> Place | None:
        if value is None:
            return None
        if _folded(value) in reported:
            return reported[_folded(value)]
        box = finder.find(value, near) if finder is not None else None
        return Place.found_at(box) if box is not None else None

    for name, reading in row.readings.items():
        if reading.place is None:
            row.readings[name] = replace(reading, place=place_of(reading.value))
    if row.consensus is not None:
        row.consensus_place = place_of(row.consensus.value)


def _folded(value: str | None) -> str:
    return " ".join(value_words(value))


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


def bbox_attr(item: EngineReading | Place | None) -> dict[str, Any]:
    """data-* attributes for the image highlight: the page (0-based, as the engines report
    it), the box, and its unit when it is in pixels (the script knows each page's size)."""
    place = item.place if isinstance(item, EngineReading) else item
    if place is None:
        return {}
    if place.found:
        return {"page": place.page, "box": ",".join(f"{v:.1f}" for v in place.box), "unit": "px"}
    return {"page": place.page, "box": ",".join(f"{v:.4f}" for v in place.box)}
