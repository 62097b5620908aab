"""Normalisation: values written differently but meaning the same compare equal; values
that differ clinically do not."""

from __future__ import annotations

import pytest

from scriptsensei.extraction.normalize import (
    duration_days,
    frequency_per_day,
    is_hard_conflict,
    normalize_value,
    parse_date,
    parse_frequency,
    parse_strength,
)


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("12/03/2025", "2025-03-12"),
        ("12-03-2025", "2025-03-12"),
        ("12.03.25", "2025-03-12"),
        ("12 Mar 2025", "2025-03-12"),
        ("12-Mar-2025", "2025-03-12"),
        ("12th March, 2025", "2025-03-12"),
        ("March 12, 2025", "2025-03-12"),
        ("2025-03-12", "2025-03-12"),
        ("Date: 5/3/25", "2025-03-05"),
        ("03/25/2025", "2025-03-25"),  # only month-first makes sense
        ("12032025", "2025-03-12"),
    ],
)
def test_dates_read_day_first_to_iso(written: str, iso: str) -> None:
    assert parse_date(written) == iso


@pytest.mark.parametrize("written", ["31/02/2025", "no date here", "", "45/45/2025"])
def test_impossible_or_missing_dates_give_none(written: str) -> None:
    assert parse_date(written) is None


@pytest.mark.parametrize(
    ("sig", "per_day"),
    [
        ("OD", 1), ("BD", 2), ("BID", 2), ("b.i.d.", 2), ("TDS", 3), ("TID", 3), ("t.d.s", 3),
        ("QID", 4), ("HS", 1), ("1-0-1", 2), ("1-1-1", 3), ("0-0-1", 1), ("1-1-1-1", 4),
        ("1/2-0-1/2", 2), ("1 - 0 - 1", 2), ("twice daily", 2), ("once a day", 1),
        ("three times daily", 3), ("four times a day", 4), ("every 8 hours", 3), ("q6h", 4),
        ("at bedtime", 1), ("once a week", 1 / 7), ("alternate days", 0.5), ("STAT", 1),
        ("1 tab BD after food", 2),
    ],
)  # fmt: skip
def test_sig_codes_to_times_per_day(sig: str, per_day: float) -> None:
    assert frequency_per_day(sig) == pytest.approx(per_day)


@pytest.mark.parametrize("sig", ["SOS", "PRN", "as needed", "when required"])
def test_as_needed_has_no_daily_count(sig: str) -> None:
    parsed = parse_frequency(sig)
    assert parsed is not None and parsed.as_needed and parsed.per_day is None
    assert normalize_value("medications.0.frequency", sig) == "as needed"


def test_a_duration_after_a_pattern_is_not_a_fourth_dose() -> None:
    assert frequency_per_day("1-0-1 - 3 days") == 2
    assert frequency_per_day("1-0-1x5days") == 2


def test_frequency_without_a_schedule_is_none() -> None:
    assert parse_frequency("after food") is None
    assert frequency_per_day(None) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("500mg", "500 mg"), ("0.5 g", "500 mg"), ("500 MG", "500mg"), ("1 g", "1000 mg"),
        ("100 mcg", "100 µg"), ("100mcg", "0.1 mg"), ("5 mg/5 ml", "5mg/5ml"),
        ("250 mg / 5 mL", "250 mg/5 ml"), ("40,000 IU", "40000 IU"), ("60K", "60000 IU"),
        ("2%", "2 %"), ("500/125 mg", "500 / 125 mg"),
    ],
)  # fmt: skip
def test_equal_strengths_normalise_alike(a: str, b: str) -> None:
    assert normalize_value("medications.0.strength", a) == normalize_value(
        "medications.0.strength", b
    )


@pytest.mark.parametrize(("a", "b"), [("500 mg", "650 mg"), ("5 mg", "5 mcg"), ("1%", "0.1%")])
def test_different_strengths_stay_different(a: str, b: str) -> None:
    assert normalize_value("medications.0.strength", a) != normalize_value(
        "medications.0.strength", b
    )


def test_strength_parts() -> None:
    parsed = parse_strength("Syp 250 mg/5 ml")
    assert parsed is not None
    assert (parsed.amounts, parsed.unit, parsed.per_amount, parsed.per_unit) == (
        (250.0,),
        "mg",
        5.0,
        "ml",
    )
    assert parse_strength("twice daily") is None


@pytest.mark.parametrize(
    ("written", "days"),
    [
        ("x 5 days", 5), ("5 days", 5), ("for 7 days", 7), ("1 week", 7), ("2 wks", 14),
        ("1 month", 30), ("10 d", 10), ("5/7", 5), ("2/52", 14), ("3 months", 90),
        ("five days", 5),
    ],
)  # fmt: skip
def test_durations_to_days(written: str, days: int) -> None:
    assert duration_days(written) == days


def test_duration_without_number_is_kept_as_words() -> None:
    assert duration_days("continue") is None
    assert normalize_value("medications.0.duration", "Continue") == "ongoing"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Dolo 650", "paracetamol"), ("Crocin", "paracetamol"), ("Paracetamol", "paracetamol"),
        ("Acetaminophen", "paracetamol"), ("Tab. Augmentin 625", "amoxicillin and clavulanate"),
        ("Amoxicillin + Clavulanic acid", "amoxicillin and clavulanate"),
        ("Moxikind-CV", "amoxicillin and clavulanate"), ("Pan 40", "pantoprazole"),
        ("T-Bact", "mupirocin"), ("Amoxici11in", "amoxicillin"), ("Ventolin", "salbutamol"),
        ("Xyzzyplex Forte", "xyzzyplex forte"),
    ],
)  # fmt: skip
def test_drug_names_to_generic(written: str, canonical: str) -> None:
    assert normalize_value("medications.3.drugName", written) == canonical


@pytest.mark.parametrize(
    ("path", "a", "b"),
    [
        ("medications.0.formulation", "Tab.", "tablet"),
        ("medications.0.formulation", "Syp", "Syrup"),
        ("medications.0.formulation", "Cap", "capsules"),
        ("medications.0.formulation", "Inj", "injection"),
        ("medications.0.formulation", "Oint.", "ointment"),
        ("medications.0.route", "PO", "oral"),
        ("medications.0.route", "by mouth", "Oral"),
        ("medications.0.route", "S/C", "subcutaneous"),
        ("medications.0.route", "L/A", "topical"),
        ("patientDetails.gender", "F", "Female"),
        ("patientDetails.gender", "M", "male"),
        ("patientDetails.age", "34 Y", "34 years"),
        ("patientDetails.age", "34", "34 yrs"),
        ("vitals.bloodPressure", "120/80 mmHg", "120 / 80"),
        ("vitals.temperature", "37 °C", "98.6 F"),
        ("vitals.pulse", "72/min", "72 bpm"),
        ("vitals.spO2", "98 %", "98%"),
        ("vitals.weight", "70 kg", "70"),
        ("vitals.height", "1.7 m", "170 cm"),
        ("patientDetails.date", "12-Mar-2025", "12/03/2025"),
        ("patientDetails.uhid", "UH-0001 234", "uh0001234"),
        ("doctorDetails.registrationNo", "KMC/12345", "KMC 12345"),
        ("doctorDetails.doctorName", "Dr. Anjali Rao", "ANJALI RAO"),
        ("clinicDetails.contactNumbers", "+91 98765 43210", "98765-43210"),
        ("clinicDetails.contactNumbers", "080-2345 6789, 98765 43210", "9876543210, 08023456789"),
        ("clinicDetails.email", "Info@Clinic.IN", "info@clinic.in"),
        ("clinicDetails.website", "https://www.clinic.in/", "www.clinic.in"),
        ("clinicalDetails.diagnosis", "Acute  Pharyngitis.", "acute pharyngitis"),
    ],
)
def test_same_meaning_normalises_alike(path: str, a: str, b: str) -> None:
    assert normalize_value(path, a) == normalize_value(path, b)


@pytest.mark.parametrize(
    ("path", "a", "b"),
    [
        ("medications.0.frequency", "BD", "TDS"),
        ("medications.0.frequency", "1-0-1", "1-1-1"),
        ("medications.0.duration", "5 days", "7 days"),
        ("medications.0.drugName", "Dolo", "Augmentin"),
        ("patientDetails.gender", "M", "F"),
        ("vitals.bloodPressure", "120/80", "130/80"),
    ],
)
def test_clinically_different_values_stay_different(path: str, a: str, b: str) -> None:
    assert normalize_value(path, a) != normalize_value(path, b)


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_is_none(blank: str | None) -> None:
    assert normalize_value("patientDetails.patientName", blank) is None


def test_unrecognised_values_fall_back_to_folded_text() -> None:
    assert normalize_value("vitals.pulse", "Regular") == "regular"
    assert normalize_value("patientDetails.date", "Today") == "today"


@pytest.mark.parametrize(
    ("path", "a", "b", "hard"),
    [
        ("medications.0.strength", "500mg", "0.5 g", False),
        ("medications.0.strength", "500 mg", "650 mg", True),
        ("medications.0.strength", "5 mg", "5 mcg", True),
        ("medications.0.frequency", "BD", "1-0-1", False),
        ("medications.0.frequency", "BD", "TDS", True),
        ("medications.0.frequency", "SOS", "BD", True),
        ("medications.0.duration", "1 week", "7 days", False),
        ("medications.0.duration", "5 days", "7 days", True),
        ("medications.0.drugName", "Dolo", "Paracetamol", False),
        ("medications.0.drugName", "Dolo", "Augmentin", True),
        ("medications.0.strength", "500 mg", None, False),
        ("patientDetails.patientName", "Ravi", "Ravi Kumar", False),
        ("clinicalDetails.diagnosis", "URTI", "Viral fever", False),
    ],
)
def test_hard_conflicts(path: str, a: str | None, b: str | None, hard: bool) -> None:
    assert is_hard_conflict(path, a, b) is hard


@pytest.mark.parametrize(
    "written", ["Mrs. Neha Agarwal", "Shri Neha Agarwal", "neha agarwal", "Dr. Neha Agarwal"]
)
def test_titles_before_a_name_do_not_count(written: str) -> None:
    assert normalize_value("patientDetails.patientName", written) == "neha agarwal"


def test_a_title_like_surname_is_kept() -> None:
    assert normalize_value("patientDetails.patientName", "Asha Kumari") == "asha kumari"
