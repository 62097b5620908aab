"""The whole parser: every field of the shape, with page, box and an honest confidence."""

from __future__ import annotations

import pytest

from scriptsensei.extraction.engine import FieldValue
from scriptsensei.extraction.fields import MEDICATION_KEYS, scalar_paths
from scriptsensei.extraction.lexicon import DrugLexicon
from scriptsensei.extraction.ocr.lines import OcrLine, PageGeometry
from scriptsensei.extraction.parser import parse_prescription
from tests.extraction.parser.factories import PAGE, create_line


def _letterhead_page(confidence: float = 0.95) -> list[OcrLine]:
    def line(text: str, x: float, y: float) -> OcrLine:
        return create_line(text, x, y, confidence=confidence)

    return [
        line("Sunrise Family Clinic", 350, 30),
        line("Dr. Kiran Hegde", 50, 80),
        line("MBBS, MD (General Medicine)", 50, 110),
        line("Consultant Physician", 50, 140),
        line("45, MG Road, Pune - 411001", 600, 80),
        line("Ph: +91 98765 43210", 600, 110),
        line("care@sunrise.in", 600, 140),
        line(
            "Name: Rahul Sharma   Age/Sex: 34 Y / M   UHID: UH00012345   Date: 12/03/2025", 50, 200
        ),
        line("BP: 120/80 mmHg   Pulse: 72/min   Temp: 98.6°F   SpO2: 98%", 50, 240),
        line("C/O: Fever x 3 days, Sore throat", 50, 280),
        line("Diagnosis: Acute pharyngitis", 50, 320),
        line("Allergies: NKDA", 50, 360),
        line("Rx", 50, 410),
        line("1. Tab.Dolo650mg | 1-0-1 | x 5 days | (after food)", 50, 460),
        line("2. Cap. Amoxicillin 500 mg - TDS - x 7 days - after meals", 50, 500),
        line("3. Syp. Ascoril LS", 50, 540),
        line("10 ml TDS x 5 days", 80, 570),
        line("Advice: Drink plenty of fluids, Warm saline gargles", 50, 640),
        line("Investigations: CBC, CRP", 50, 680),
        line("Follow up: Review after 5 days", 50, 720),
        line("~/\\/\\~", 700, 1150),  # the signature scribble, read as noise
        line("Dr. Kiran Hegde", 700, 1200),
        line("Reg. No. KMC 12345", 700, 1240),
    ]


@pytest.fixture(scope="module")
def fields(lexicon: DrugLexicon) -> list[FieldValue]:
    return parse_prescription(_letterhead_page(), [PAGE], lexicon)


def _by_path(fields: list[FieldValue]) -> dict[str, FieldValue]:
    return {f.path: f for f in fields}


def test_every_scalar_path_is_returned(fields: list[FieldValue]) -> None:
    paths = [f.path for f in fields]
    assert paths[: len(scalar_paths())] == scalar_paths()
    assert len(paths) == len(set(paths))


def test_scalar_values(fields: list[FieldValue]) -> None:
    values = {f.path: f.value for f in fields}
    assert values["patientDetails.patientName"] == "Rahul Sharma"
    assert values["patientDetails.age"] == "34 Y"
    assert values["patientDetails.gender"] == "M"
    assert values["patientDetails.uhid"] == "UH00012345"
    assert values["patientDetails.date"] == "12/03/2025"
    assert values["patientDetails.allergies"] == "NKDA"
    assert values["clinicalDetails.chiefComplaints"] == "Fever x 3 days, Sore throat"
    assert values["clinicalDetails.diagnosis"] == "Acute pharyngitis"
    assert values["vitals.bloodPressure"] == "120/80 mmHg"
    assert values["vitals.spO2"] == "98%"
    assert values["advice.investigations"] == "CBC, CRP"
    assert values["advice.followUpInstructions"] == "Review after 5 days"
    assert values["doctorDetails.doctorName"] == "Dr. Kiran Hegde"
    assert values["doctorDetails.registrationNo"] == "KMC 12345"
    assert values["doctorDetails.specialization"] == "Consultant Physician"
    assert values["clinicDetails.clinicName"] == "Sunrise Family Clinic"
    assert values["clinicDetails.address"] == "45, MG Road, Pune - 411001"
    assert values["clinicDetails.contactNumbers"] == "+91 98765 43210"
    assert values["clinicDetails.email"] == "care@sunrise.in"


def test_fields_not_on_the_page_are_null_without_confidence(fields: list[FieldValue]) -> None:
    by_path = _by_path(fields)
    for path in (
        "vitals.weight",
        "clinicalDetails.examination",
        "prescriptionType.type",
        "clinicDetails.logo",
    ):
        assert (by_path[path].value, by_path[path].confidence, by_path[path].bbox) == (
            None,
            None,
            None,
        )


def test_every_medication_key_for_each_medication(fields: list[FieldValue]) -> None:
    by_path = _by_path(fields)
    meds = sorted({f.path.split(".")[1] for f in fields if f.path.startswith("medications.")})
    assert meds == ["0", "1", "2"]
    for index in meds:
        for key in MEDICATION_KEYS:
            assert f"medications.{index}.{key}" in by_path
    assert [by_path[f"medications.{i}.drugName"].value for i in meds] == [
        "Dolo",
        "Amoxicillin",
        "Ascoril LS",
    ]
    assert by_path["medications.2.frequency"].value == "TDS"
    assert by_path["medications.0.route"].value is None


def test_found_values_have_a_page_and_a_box_inside_it(fields: list[FieldValue]) -> None:
    for field in fields:
        if field.value is None:
            continue
        assert field.page == 0
        box = field.bbox
        assert box is not None
        assert 0 <= box.x0 < box.x1 <= 1 and 0 <= box.y0 < box.y1 <= 1


def test_box_is_where_the_value_was_read(fields: list[FieldValue]) -> None:
    date = _by_path(fields)["patientDetails.date"].bbox
    assert date is not None
    assert date.y0 == pytest.approx(200 / 1400, abs=0.002)
    assert date.x0 > 0.5  # the date is the last item of the row


def test_confidence_follows_the_ocr_and_the_match(lexicon: DrugLexicon) -> None:
    sure = _by_path(parse_prescription(_letterhead_page(0.95), [PAGE], lexicon))
    unsure = _by_path(parse_prescription(_letterhead_page(0.5), [PAGE], lexicon))
    for path in ("patientDetails.patientName", "medications.0.drugName", "vitals.pulse"):
        assert 0 < unsure[path].confidence < sure[path].confidence <= 1  # type: ignore[operator]
    confidences = {f.confidence for f in sure.values() if f.value is not None}
    assert len(confidences) > 3  # depends on how each value was matched, not a constant


def test_values_on_a_second_page_carry_that_page(lexicon: DrugLexicon) -> None:
    pages = [PAGE, PageGeometry(1, 1000, 1400)]
    lines = [
        create_line("Name: Ravi", 50, 100),
        create_line("Tab Pantoprazole 40 mg OD", 50, 100, page=1),
    ]
    by_path = _by_path(parse_prescription(lines, pages, lexicon))
    assert by_path["patientDetails.patientName"].page == 0
    assert by_path["medications.0.drugName"].page == 1


def test_no_lines_gives_every_field_null(lexicon: DrugLexicon) -> None:
    fields = parse_prescription([], [PAGE], lexicon)
    assert [f.path for f in fields] == scalar_paths()
    assert all(f.value is None for f in fields)


def test_noise_lines_do_not_become_values(lexicon: DrugLexicon) -> None:
    noise = [
        create_line(t, 50, 100 + 40 * i, confidence=0.2)
        for i, t in enumerate(["~/\\_", "|||", "ii ;;", "Ww\\/"])
    ]
    fields = parse_prescription(noise, [PAGE], lexicon)
    assert all(f.value is None for f in fields)


def test_two_column_header_read_as_one_line(lexicon: DrugLexicon) -> None:
    lines = [
        create_line("Dr. Anjali Rao LifeLine Clinic", 50, 40, width=900),
        create_line("MBBS, DCH 3-5-12, Himayatnagar, Hyderabad - 500029", 50, 80, width=900),
        create_line("Dermatologist Ph: 049-2829 7341, 77713 38793", 50, 120, width=900),
        create_line(
            "Reg. No. TNMC 59599 Email: appointments@lifelineclinic.com", 50, 160, width=900
        ),
    ]
    values = {f.path: f.value for f in parse_prescription(lines, [PAGE], lexicon)}
    assert values["doctorDetails.doctorName"] == "Dr. Anjali Rao"
    assert values["clinicDetails.clinicName"] == "LifeLine Clinic"
    assert values["clinicDetails.address"] == "3-5-12, Himayatnagar, Hyderabad - 500029"
    assert values["doctorDetails.specialization"] == "Dermatologist"
    assert values["clinicDetails.contactNumbers"] == "049-2829 7341, 77713 38793"
    assert values["doctorDetails.registrationNo"] == "TNMC 59599"
    assert values["clinicDetails.email"] == "appointments@lifelineclinic.com"


def test_labelled_values_are_cut_to_the_shape_of_their_field(lexicon: DrugLexicon) -> None:
    lines = [
        create_line("Reg. No. TNMC 59599 Dermatologist MBBS, DCH", 50, 40),
        create_line("56, Residency Road, Kochi - 682011 Healthway Clinic", 50, 80),
        create_line("Ph: c w -.com", 50, 120),
        create_line("Mobile 98765 43210", 600, 1300),
    ]
    values = {f.path: f.value for f in parse_prescription(lines, [PAGE], lexicon)}
    assert values["doctorDetails.registrationNo"] == "TNMC 59599"
    assert values["clinicDetails.address"] == "56, Residency Road, Kochi - 682011"
    # a labelled phone with no number in it gives way to a number found elsewhere
    assert values["clinicDetails.contactNumbers"] == "98765 43210"
