"""Label-value pairs in the forms prescriptions print them."""

from __future__ import annotations

from scriptsensei.extraction.ocr.lines import OcrLine
from scriptsensei.extraction.parser.assemble import split_age_gender
from scriptsensei.extraction.parser.found import Found
from scriptsensei.extraction.parser.labelled import labelled_values
from scriptsensei.extraction.parser.labels import label_hits
from scriptsensei.extraction.parser.layout import build_rows
from scriptsensei.extraction.parser.vitals import vitals_table
from tests.extraction.parser.factories import PAGE, create_line


def _values(lines: list[OcrLine]) -> dict[str, str]:
    found = labelled_values(build_rows(lines, [PAGE]), set())
    split_age_gender(found)
    return {k: v.value for k, v in found.items()}


def test_several_pairs_on_one_line() -> None:
    values = _values(
        [
            create_line(
                "Name: Ravi Kumar   Age: 34 Y   Sex: M   UHID: UH00012345   Date: 12/03/2025",
                50,
                100,
            )
        ]
    )
    assert values == {
        "patientDetails.patientName": "Ravi Kumar",
        "patientDetails.age": "34 Y",
        "patientDetails.gender": "M",
        "patientDetails.uhid": "UH00012345",
        "patientDetails.date": "12/03/2025",
    }


def test_label_variants() -> None:
    values = _values(
        [
            create_line("Pt: Asha Kumari", 50, 100),
            create_line("C/O: Fever x 3 days", 50, 140),
            create_line("H/O: K/C/O DM", 50, 180),
            create_line("O/E: Throat congested", 50, 220),
            create_line("Dx: URTI", 50, 260),
            create_line("Known Allergies: NKDA", 50, 300),
            create_line("Inv: CBC, CRP", 50, 340),
            create_line("F/U: Review after 5 days", 50, 380),
        ]
    )
    assert values["patientDetails.patientName"] == "Asha Kumari"
    assert values["clinicalDetails.chiefComplaints"] == "Fever x 3 days"
    assert values["clinicalDetails.medicalHistory"] == "K/C/O DM"
    assert values["clinicalDetails.examination"] == "Throat congested"
    assert values["clinicalDetails.diagnosis"] == "URTI"
    assert values["patientDetails.allergies"] == "NKDA"
    assert values["advice.investigations"] == "CBC, CRP"
    assert values["advice.followUpInstructions"] == "Review after 5 days"


def test_combined_age_and_sex() -> None:
    values = _values([create_line("Patient Name: Meera Iyer  Age/Sex: 34/F", 50, 100)])
    assert values["patientDetails.age"] == "34"
    assert values["patientDetails.gender"] == "F"
    spaced = _values([create_line("Age / Gender: 21 Yrs / Male", 50, 100)])
    assert (spaced["patientDetails.age"], spaced["patientDetails.gender"]) == ("21 Yrs", "Male")


def test_combined_age_and_sex_read_with_a_bar_for_the_slash() -> None:
    # a blurred "Age / Sex" often comes out of OCR as "Age | Sex"
    values = _values([create_line("Name: Meera Iyer  Age | Sex: 34 Y | F", 50, 100)])
    assert values["patientDetails.patientName"] == "Meera Iyer"
    assert (values["patientDetails.age"], values["patientDetails.gender"]) == ("34 Y", "F")


def test_combined_age_without_gender_keeps_the_age() -> None:
    values = _values([create_line("Age/Sex: 34 years", 50, 100)])
    assert values["patientDetails.age"] == "34 years"
    assert "patientDetails.gender" not in values


def test_value_in_the_next_box_of_the_row() -> None:
    values = _values([create_line("Patient Name:", 50, 100), create_line("Rahul Sharma", 300, 101)])
    assert values["patientDetails.patientName"] == "Rahul Sharma"


def test_value_on_the_line_below_the_label() -> None:
    values = _values([create_line("Diagnosis", 50, 100), create_line("Acute bronchitis", 50, 136)])
    assert values["clinicalDetails.diagnosis"] == "Acute bronchitis"


def test_wrapped_paragraph_continues_under_the_value() -> None:
    label = create_line("Advice:", 50, 100)
    first = create_line("Drink plenty of fluids, Avoid", 130, 100)
    second = create_line("oily and spicy food", 130, 128)
    values = _values([label, first, second])
    assert values["advice.lifestyleAdvice"] == "Drink plenty of fluids, Avoid oily and spicy food"


def test_a_label_repeated_inside_its_value_is_kept() -> None:
    values = _values([create_line("History: H/O similar episode 6 months back", 50, 100)])
    assert values["clinicalDetails.medicalHistory"] == "H/O similar episode 6 months back"


def test_common_words_need_a_colon_to_be_labels() -> None:
    assert [h.key for h in label_hits("Review after 5 days")] == []
    assert [h.key for h in label_hits("Review: after 5 days")] == ["advice.followUpInstructions"]
    # distinctive labels count without one
    assert [h.key for h in label_hits("UHID MR389802 Date 23-Aug-2025")] == [
        "patientDetails.uhid",
        "patientDetails.date",
    ]


def test_label_quality_reflects_the_colon() -> None:
    with_colon = label_hits("UHID: 123")[0]
    without = label_hits("UHID 123")[0]
    assert with_colon.quality > without.quality


def test_vitals_on_one_row_and_others_keep_their_label() -> None:
    values = _values(
        [
            create_line(
                "BP: 120/80 mmHg   Pulse: 72/min   Temp: 98.6°F   SpO2: 98%   RR: 18/min", 50, 100
            )
        ]
    )
    assert values["vitals.bloodPressure"] == "120/80 mmHg"
    assert values["vitals.pulse"] == "72/min"
    assert values["vitals.temperature"] == "98.6°F"
    assert values["vitals.spO2"] == "98%"
    assert values["vitals.others"] == "RR: 18/min"


def _table(header: str, values: str) -> dict[str, Found]:
    rows = build_rows([create_line(header, 50, 100), create_line(values, 50, 136)], [PAGE])
    found, used = vitals_table(rows, set())
    assert used == {0, 1}
    return found


def test_vitals_table_is_read_by_value_shapes() -> None:
    found = _table(
        "BP Pulse Temp SpO2 Weight Height BMI", "139/65 mmHg 101/min 38.6°C 93% 32 kg 100 cm 32.0"
    )
    assert {k: v.value for k, v in found.items()} == {
        "vitals.bloodPressure": "139/65 mmHg",
        "vitals.pulse": "101/min",
        "vitals.temperature": "38.6°C",
        "vitals.spO2": "93%",
        "vitals.weight": "32 kg",
        "vitals.height": "100 cm",
        "vitals.bmi": "32.0",
    }


def test_vitals_table_temperature_signs() -> None:
    found = _table("Temp Weight", "37.2°\u2103 20 kg")
    assert (found["vitals.temperature"].value, found["vitals.weight"].value) == (
        "37.2°\u2103",
        "20 kg",
    )


def test_vitals_table_others_column_takes_the_rest() -> None:
    found = _table("BP Pulse Weight Others", "120/80 72/min 70 kg RR: 18/min")
    assert found["vitals.others"].value == "RR: 18/min"
    assert found["vitals.weight"].value == "70 kg"


def test_vitals_table_titles_with_an_ocr_slip() -> None:
    found = _table("B8P Temp Sp02 Weight", "119/89 100.6°F 92% 84 kg")
    assert found["vitals.bloodPressure"].value == "119/89"
    assert found["vitals.spO2"].value == "92%"


def test_a_row_with_words_besides_labels_is_not_a_vitals_table() -> None:
    rows = build_rows(
        [create_line("BP was high on Pulse check", 50, 100), create_line("120/80 72", 50, 136)],
        [PAGE],
    )
    assert vitals_table(rows, set()) == ({}, set())
