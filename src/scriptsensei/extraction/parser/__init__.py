"""The prescription parser: OCR lines (text, box, confidence) -> the fields of the shape.

It reads the page as rows of boxes: labelled values first (on the row, beside, or below
their label), then medications (by dosage form, drug lexicon and schedule patterns), then
unlabelled letterhead facts (doctor, practice, address, contacts) by their wording.
Values are returned as written; normalisation happens when values are compared.
"""

from __future__ import annotations

from collections.abc import Sequence

from scriptsensei.extraction.engine import FieldValue
from scriptsensei.extraction.lexicon import DrugLexicon, get_lexicon
from scriptsensei.extraction.ocr.lines import OcrLine, PageGeometry
from scriptsensei.extraction.parser import contacts, letterhead
from scriptsensei.extraction.parser.assemble import (
    medication_fields,
    repair_identifiers,
    scalar_fields,
    split_age_gender,
    tidy_shapes,
)
from scriptsensei.extraction.parser.found import Found
from scriptsensei.extraction.parser.labelled import labelled_values
from scriptsensei.extraction.parser.layout import Row, build_rows
from scriptsensei.extraction.parser.medications import find_medications, is_table_header
from scriptsensei.extraction.parser.vitals import vitals_table

__all__ = ["parse_prescription", "parse_rows"]


def parse_prescription(
    lines: Sequence[OcrLine],
    pages: Sequence[PageGeometry],
    lexicon: DrugLexicon | None = None,
) -> list[FieldValue]:
    """A FieldValue for every scalar path (null when not found) and for every medication key
    of each medication found, with page, box and a confidence computed from the OCR and
    the quality of the match."""
    return parse_rows(build_rows(lines, pages), lexicon or get_lexicon())


def parse_rows(rows: Sequence[Row], lexicon: DrugLexicon) -> list[FieldValue]:
    headers = {i for i, row in enumerate(rows) if is_table_header(row)}
    vitals, vitals_rows = vitals_table(rows, headers)
    entries = find_medications(rows, lexicon, headers | vitals_rows)
    medication_rows = {i for entry in entries for i in entry.rows}
    skip = headers | medication_rows | vitals_rows
    values = {**labelled_values(rows, skip), **vitals}
    split_age_gender(values)
    repair_identifiers(values)
    tidy_shapes(values)
    _add_unlabelled(values, rows, skip)
    tidy_shapes(values)
    return scalar_fields(values) + medication_fields(entries)


def _add_unlabelled(values: dict[str, Found], rows: Sequence[Row], skip: set[int]) -> None:
    found: dict[str, Found | None] = {
        "doctorDetails.doctorName": letterhead.find_doctor(rows, skip),
        "doctorDetails.specialization": letterhead.find_specialization(rows, skip),
        "clinicDetails.address": letterhead.find_address(rows, skip),
        "clinicDetails.branch": letterhead.find_branch(rows, skip),
        "doctorDetails.registrationNo": letterhead.find_registration(rows, skip),
        "clinicDetails.contactNumbers": contacts.find_phones(rows, skip),
        "clinicDetails.email": contacts.find_email(rows),
        "clinicDetails.website": contacts.find_website(rows),
    }
    doctor = found["doctorDetails.doctorName"]
    names = letterhead.find_practice_names(rows, skip, doctor.value if doctor else None)
    for key, practice in names.items():
        found[f"clinicDetails.{key}"] = practice
    for path, value in found.items():
        if value is not None:
            values.setdefault(path, value)
