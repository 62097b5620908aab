"""Scoring one reading against the truth: normalised comparison, medications by drug name."""

from __future__ import annotations

from scriptsensei.evaluation.scoring import match_by_drug, score_reading
from scriptsensei.extraction.fields import flatten

TRUTH = flatten(
    {
        "patientDetails": {"patientName": "Ravi Kumar", "age": "45"},
        "medications": [
            {"drugName": "Paracetamol", "strength": "500 mg", "frequency": "BD"},
            {"drugName": "Amoxicillin", "strength": "250 mg", "frequency": "TDS"},
        ],
    }
)


def _reading(**groups: object) -> dict[str, str | None]:
    return flatten(groups)


def test_a_perfect_reading_scores_every_counted_field() -> None:
    score = score_reading(TRUTH, TRUTH)
    assert sum(score.counted.values()) == 8
    assert score.correct == score.counted
    assert (score.meds_truth, score.meds_read, score.meds_matched) == (2, 2, 2)
    assert score.misses == []


def test_values_are_compared_after_normalisation() -> None:
    reading = _reading(
        patientDetails={"patientName": "RAVI  KUMAR", "age": "45"},
        medications=[
            {"drugName": "paracetamol", "strength": "0.5 g", "frequency": "1-0-1"},
            {"drugName": "Amoxicillin", "strength": "250mg", "frequency": "TDS"},
        ],
    )
    score = score_reading(TRUTH, reading)
    assert score.correct == score.counted


def test_a_value_where_the_truth_has_none_is_an_error() -> None:
    reading = dict(TRUTH)
    reading["vitals.pulse"] = "88"
    score = score_reading(TRUTH, reading)
    assert score.counted["vitals.pulse"] == 1
    assert "vitals.pulse" not in score.correct
    assert [m.path for m in score.misses] == ["vitals.pulse"]


def test_medications_are_matched_by_name_not_position() -> None:
    reading = _reading(
        medications=[
            {"drugName": "Amoxicillin", "strength": "250 mg", "frequency": "TDS"},
            {"drugName": "Ibuprofen", "strength": "400 mg"},
        ]
    )
    score = score_reading(TRUTH, reading)
    assert (score.meds_truth, score.meds_read, score.meds_matched) == (2, 2, 1)
    assert score.correct["medications.strength"] == 1  # amoxicillin's, matched out of order
    assert score.counted["medications.drugName"] == 3  # matched, missed, spurious


def test_drug_names_match_despite_an_ocr_slip() -> None:
    pairs = match_by_drug(
        [{"drugName": "Paracetamol"}, {"drugName": "Amoxicillin"}],
        [{"drugName": "Amoxicilin"}, {"drugName": "Pantoprazole"}],
    )
    assert pairs == [(1, 0)]
