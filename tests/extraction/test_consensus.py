"""Consensus across engines: agreement, clinical hard conflicts, medication matching,
low confidence, single readings and reviewer overrides."""

from __future__ import annotations

from scriptsensei.extraction.consensus import (
    EngineReading,
    Thresholds,
    apply_review,
    build_consensus,
)
from scriptsensei.extraction.engine import FieldValue


def reading(
    engine: str, values: dict[str, str | None], confidence: float | None = 0.9
) -> EngineReading:
    return EngineReading(engine, [FieldValue(p, v, confidence) for p, v in values.items()])


def med(
    index: int, drug: str, strength: str | None = None, frequency: str | None = None
) -> dict[str, str | None]:
    return {
        f"medications.{index}.drugName": drug,
        f"medications.{index}.strength": strength,
        f"medications.{index}.frequency": frequency,
    }


def outcome(consensus: object, path: str):  # type: ignore[no-untyped-def]
    return next(f for f in consensus.fields if f.path == path)  # type: ignore[attr-defined]


def test_engines_agreeing_after_normalisation() -> None:
    consensus = build_consensus(
        [
            reading(
                "a",
                {
                    "patientDetails.patientName": "Ravi Kumar",
                    **med(0, "Paracetamol", "500mg", "BD"),
                },
            ),
            reading(
                "b",
                {
                    "patientDetails.patientName": "RAVI KUMAR",
                    **med(0, "Paracetamol", "500 mg", "1-0-1"),
                },
            ),
        ]
    )
    name = outcome(consensus, "patientDetails.patientName")
    assert (name.status, name.agreement, name.needs_review) == ("agreed", 1.0, False)
    strength = outcome(consensus, "medications.0.strength")
    assert strength.status == "agreed" and strength.normalized == "500 mg"
    frequency = outcome(consensus, "medications.0.frequency")
    assert frequency.status == "agreed" and frequency.normalized == "2/day"
    assert consensus.summary() == {"fields": 4, "needingReview": 0, "agreement": 1.0}


def test_similar_strengths_are_a_hard_conflict_even_outvoted() -> None:
    consensus = build_consensus(
        [
            reading("a", med(0, "Amoxicillin", "500 mg", "BD")),
            reading("b", med(0, "Amoxicillin", "500 mg", "BD")),
            reading("c", med(0, "Amoxicillin", "50 mg", "TDS")),
        ]
    )
    strength = outcome(consensus, "medications.0.strength")
    assert strength.status == "conflict" and strength.needs_review
    assert strength.value == "500 mg"  # the better-supported reading is still proposed
    assert 0.6 < (strength.agreement or 0) < 0.7
    frequency = outcome(consensus, "medications.0.frequency")
    assert frequency.status == "conflict" and frequency.needs_review
    assert outcome(consensus, "medications.0.drugName").status == "agreed"


def test_soft_fields_are_outvoted_by_a_clear_majority() -> None:
    clinic = "clinicDetails.clinicName"
    consensus = build_consensus(
        [
            reading("a", {clinic: "Sunrise Clinic"}),
            reading("b", {clinic: "Sunrise Clinic"}),
            reading("c", {clinic: "Sunrise Clinic"}),
            reading("d", {clinic: "Moonlight Hospital"}),
        ]
    )
    found = outcome(consensus, clinic)
    assert found.status == "agreed" and not found.needs_review and found.value == "Sunrise Clinic"
    assert found.agreement == 0.75
    tight = build_consensus(
        [reading("a", {clinic: "Sunrise Clinic"}), reading("b", {clinic: "Moonlight Hospital"})],
        Thresholds(agreement=0.67),
    )
    assert outcome(tight, clinic).status == "conflict"


def test_small_reading_differences_in_text_fields_agree() -> None:
    consensus = build_consensus(
        [
            reading("a", {"doctorDetails.specialization": "General Physician"}),
            reading("b", {"doctorDetails.specialization": "General Physcian"}),
        ]
    )
    assert outcome(consensus, "doctorDetails.specialization").status == "agreed"


def test_dates_numbers_and_identifiers_one_character_apart_are_different_readings() -> None:
    readings = {
        "patientDetails.date": ("April 8, 2024", "April 8, 2025"),
        "patientDetails.age": ("44 Y", "45 Y"),
        "patientDetails.uhid": ("MR304756", "MR304758"),
        "vitals.pulse": ("87 bpm", "81 bpm"),
        "clinicDetails.contactNumbers": ("+91 98765 43210", "+91 98765 43216"),
    }
    consensus = build_consensus(
        [
            reading("a", {path: first for path, (first, _) in readings.items()}, 0.65),
            reading("b", {path: second for path, (_, second) in readings.items()}, 0.22),
            reading("c", {path: second for path, (_, second) in readings.items()}, 0.22),
        ]
    )
    for path, (first, _) in readings.items():
        found = outcome(consensus, path)
        assert found.value == first, path  # the confident engine still leads
        assert found.agreement is not None and found.agreement < 0.67, (path, found.agreement)
        assert (found.status, found.needs_review) == ("conflict", True), path


def test_medications_matched_across_engines_in_different_order() -> None:
    consensus = build_consensus(
        [
            reading(
                "a",
                {**med(0, "Pantoprazole", "40 mg", "OD"), **med(1, "Dolo 650", "650 mg", "TDS")},
            ),
            reading(
                "b",
                {
                    **med(0, "Paracetamol", "650mg", "TID"),
                    **med(1, "Pantoprazole", "40mg", "once daily"),
                },
            ),
        ]
    )
    assert consensus.needing_review() == []
    drugs = [f.normalized for f in consensus.fields if f.path.endswith("drugName")]
    assert sorted(drugs) == ["pantoprazole", "paracetamol"]
    assert len(drugs) == 2
    first = outcome(consensus, "medications.0.drugName")
    assert {e: v["path"] for e, v in first.engine_values().items()} in (
        {"a": "medications.0.drugName", "b": "medications.1.drugName"},
        {"a": "medications.1.drugName", "b": "medications.0.drugName"},
    )


def test_medication_read_by_one_engine_only_needs_review() -> None:
    consensus = build_consensus(
        [
            reading(
                "a",
                {**med(0, "Metformin", "500 mg", "BD"), **med(1, "Atorvastatin", "10 mg", "HS")},
            ),
            reading("b", med(0, "Metformin", "500 mg", "BD")),
        ]
    )
    drug = next(f for f in consensus.fields if f.value == "Atorvastatin")
    assert drug.status == "single" and drug.needs_review
    assert outcome(consensus, "medications.0.drugName").status == "agreed"


def test_low_confidence_needs_review_and_unknown_confidence_is_neutral() -> None:
    path = "patientDetails.age"
    low = build_consensus([reading("a", {path: "45"}, 0.3), reading("b", {path: "45 yrs"}, 0.4)])
    assert outcome(low, path).status == "low_confidence" and outcome(low, path).needs_review
    unknown = build_consensus([reading("a", {path: "45"}, None), reading("b", {path: "45"}, None)])
    found = outcome(unknown, path)
    assert (found.status, found.confidence, found.needs_review) == ("agreed", None, False)


def test_confident_engine_outweighs_an_unsure_one() -> None:
    path = "clinicDetails.clinicName"
    consensus = build_consensus(
        [
            reading("sure", {path: "City Care"}, 0.95),
            reading("unsure", {path: "Metro Health"}, 0.2),
        ],
        Thresholds(agreement=0.5),
    )
    found = outcome(consensus, path)
    assert found.value == "City Care" and found.status == "agreed"
    assert found.agreement is not None and found.agreement > 0.8


def test_missing_and_single_fields() -> None:
    consensus = build_consensus(
        [
            reading("a", {"vitals.pulse": None, "patientDetails.allergies": "Penicillin"}),
            reading("b", {"vitals.pulse": None, "patientDetails.allergies": None}),
        ]
    )
    pulse = outcome(consensus, "vitals.pulse")
    assert (pulse.status, pulse.value, pulse.needs_review) == ("missing", None, False)
    allergies = outcome(consensus, "patientDetails.allergies")
    assert allergies.status == "single" and allergies.needs_review


def test_reviewer_decisions_override_the_consensus() -> None:
    consensus = build_consensus(
        [
            reading(
                "a",
                {"patientDetails.patientName": "Anita", **med(0, "Azithromycin", "500 mg", "OD")},
            ),
            reading(
                "b",
                {"patientDetails.patientName": "Anita", **med(0, "Azithromycin", "250 mg", "OD")},
            ),
        ]
    )
    data = apply_review(
        consensus, {"medications.0.strength": "250 mg", "patientDetails.patientName": "Anita Rao"}
    )
    assert data["patientDetails"]["patientName"] == "Anita Rao"
    assert data["medications"][0]["strength"] == "250 mg"
    assert data["medications"][0]["drugName"] == "Azithromycin"
    # the engines' values are untouched
    assert {
        v["value"] for v in outcome(consensus, "medications.0.strength").engine_values().values()
    } == {
        "500 mg",
        "250 mg",
    }
