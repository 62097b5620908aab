"""Unlabelled letterhead facts and contact details."""

from __future__ import annotations

from scriptsensei.extraction.ocr.lines import OcrLine
from scriptsensei.extraction.parser import contacts, letterhead
from scriptsensei.extraction.parser.layout import Row, build_rows
from tests.extraction.parser.factories import PAGE, create_line


def _rows(*lines: OcrLine) -> list[Row]:
    return build_rows(list(lines), [PAGE])


def test_doctor_name_prefers_the_signature_box() -> None:
    rows = _rows(
        create_line("Dr. Anjali Rao LifeLine Clinic", 50, 50, width=900),
        create_line("Dr. Anjali Rao", 700, 1200),
    )
    doctor = letterhead.find_doctor(rows, set())
    assert doctor is not None and doctor.value == "Dr. Anjali Rao"
    names = letterhead.find_practice_names(rows, set(), doctor.value)
    assert names["clinicName"].value == "LifeLine Clinic"


def test_doctor_name_stops_at_degrees() -> None:
    doctor = letterhead.find_doctor(
        _rows(create_line("Dr. Jane Whitfield, MBBS, MRCGP", 50, 50)), set()
    )
    assert doctor is not None and doctor.value == "Dr. Jane Whitfield"


def test_hospital_word_wins_over_clinic_word() -> None:
    names = letterhead.find_practice_names(
        _rows(create_line("Kaveri Medical Centre & Hospital", 300, 40)), set()
    )
    assert names["hospitalName"].value == "Kaveri Medical Centre & Hospital"
    assert "clinicName" not in names


def test_lower_case_clinic_in_a_sentence_is_not_a_name() -> None:
    rows = _rows(create_line("Please bring this prescription to the clinic.", 50, 1300))
    assert letterhead.find_practice_names(rows, set()) == {}


def test_specialization_without_degrees_or_labels() -> None:
    rows = _rows(
        create_line("MBBS, MD (General Medicine)", 50, 80),
        create_line("Family Physician  Ph: +91 83544 31782", 50, 120),
    )
    found = letterhead.find_specialization(rows, set())
    assert found is not None and found.value == "Family Physician"


def test_address_without_the_qualifications_printed_before_it() -> None:
    rows = _rows(
        create_line("MBBS, MD, DM (Cardiology) 14/2, Civil Lines, Jaipur - 302006", 50, 80)
    )
    found = letterhead.find_address(rows, set())
    assert found is not None and found.value == "14/2, Civil Lines, Jaipur - 302006"


def test_branch_and_unlabelled_registration() -> None:
    rows = _rows(create_line("Banjara Hills Branch", 300, 60), create_line("GMC 3943400", 50, 1200))
    branch = letterhead.find_branch(rows, set())
    registration = letterhead.find_registration(rows, set())
    assert branch is not None and branch.value == "Banjara Hills"
    assert registration is not None and registration.value == "GMC 3943400"


def test_phone_numbers_as_written_together() -> None:
    rows = _rows(create_line("Tel: 076-4835 3358, 76100 50531", 300, 60))
    found = contacts.find_phones(rows, set())
    assert found is not None and found.value == "076-4835 3358, 76100 50531"


def test_dates_and_ids_are_not_phone_numbers() -> None:
    rows = _rows(
        create_line("Date: 12-03-2025", 50, 60),
        create_line("UHID: OP-2025-001234", 50, 100),
        create_line("Reg. No. MCI-2019-20690", 50, 140),
    )
    assert contacts.find_phones(rows, set()) is None


def test_email_and_website() -> None:
    rows = _rows(create_line("info@sunrise.in  www.sunrise.in", 300, 60))
    email, website = contacts.find_email(rows), contacts.find_website(rows)
    assert email is not None and email.value == "info@sunrise.in"
    assert website is not None and website.value == "www.sunrise.in"


def test_nothing_found_on_an_empty_page() -> None:
    assert letterhead.find_doctor([], set()) is None
    assert letterhead.find_address([], set()) is None
    assert contacts.find_email([]) is None
