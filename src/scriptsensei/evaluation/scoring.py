"""Comparing one reading with the truth, field by field, after normalisation.

A field counts when the truth or the reading has a value (a value read where the truth has
none is an error; two nulls are not a success worth counting). Medications are matched by
drug name first, so a missed first medication does not make every later one wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from scriptsensei.extraction.fields import (
    MEDICATION_KEYS,
    iter_medication_indexes,
    medication_path,
    split_path,
)
from scriptsensei.extraction.normalize import normalize_value

Flat = Mapping[str, str | None]
NAME_MATCH = 88  # fuzzy score for two normalised drug names to be the same medication


@dataclass(frozen=True)
class Miss:
    path: str  # generic path: `vitals.pulse`, `medications.strength`
    truth: str | None
    got: str | None


@dataclass
class SampleScore:
    correct: dict[str, int] = field(default_factory=dict)  # generic path -> count
    counted: dict[str, int] = field(default_factory=dict)
    meds_truth: int = 0
    meds_read: int = 0
    meds_matched: int = 0
    misses: list[Miss] = field(default_factory=list)

    def add(self, path: str, truth: str | None, got: str | None) -> None:
        expected, read = normalize_value(path, truth), normalize_value(path, got)
        if expected is None and read is None:
            return
        generic = _generic(path)
        self.counted[generic] = self.counted.get(generic, 0) + 1
        if expected == read:
            self.correct[generic] = self.correct.get(generic, 0) + 1
        else:
            self.misses.append(Miss(generic, truth, got))


def score_reading(truth: Flat, reading: Flat) -> SampleScore:
    score = SampleScore()
    for path in truth.keys() | reading.keys():
        if split_path(path)[1] is None:
            score.add(path, truth.get(path), reading.get(path))
    _score_medications(score, _medications(truth), _medications(reading))
    return score


def _generic(path: str) -> str:
    group, _, key = split_path(path)
    return f"{group}.{key}"


def _medications(flat: Flat) -> list[dict[str, str | None]]:
    meds = []
    for index in sorted(iter_medication_indexes(flat)):
        med = {key: flat.get(medication_path(index, key)) for key in MEDICATION_KEYS}
        if any(med.values()):
            meds.append(med)
    return meds


def _score_medications(
    score: SampleScore, truth: list[dict[str, str | None]], read: list[dict[str, str | None]]
) -> None:
    pairs = match_by_drug(truth, read)
    score.meds_truth, score.meds_read, score.meds_matched = len(truth), len(read), len(pairs)
    used = {j for _, j in pairs}
    matched_truth = {i for i, _ in pairs}
    for i, j in pairs:
        for key in MEDICATION_KEYS:
            score.add(medication_path(0, key), truth[i][key], read[j][key])
    for i, med in enumerate(truth):
        if i not in matched_truth:
            for key in MEDICATION_KEYS:
                score.add(medication_path(0, key), med[key], None)
    for j, med in enumerate(read):
        if j not in used:
            for key in MEDICATION_KEYS:
                score.add(medication_path(0, key), None, med[key])


def match_by_drug(
    truth: list[dict[str, str | None]], read: list[dict[str, str | None]]
) -> list[tuple[int, int]]:
    """(truth index, read index) pairs, best name match first, each used once."""
    candidates = []
    for i, expected in enumerate(truth):
        for j, got in enumerate(read):
            similarity = _name_similarity(expected.get("drugName"), got.get("drugName"))
            if similarity >= NAME_MATCH:
                candidates.append((similarity, -abs(i - j), i, j))
    pairs: list[tuple[int, int]] = []
    for _, _, i, j in sorted(candidates, reverse=True):
        if all(i != a and j != b for a, b in pairs):
            pairs.append((i, j))
    return sorted(pairs)


def _name_similarity(a: str | None, b: str | None) -> float:
    left = normalize_value("medications.0.drugName", a)
    right = normalize_value("medications.0.drugName", b)
    if not left or not right:
        return 0.0
    return 100.0 if left == right else float(fuzz.ratio(left, right))
