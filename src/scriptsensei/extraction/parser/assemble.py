"""From found values to the FieldValues of every path of the shape."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from scriptsensei.extraction.engine import FieldValue
from scriptsensei.extraction.fields import MEDICATION_KEYS, medication_path, scalar_paths
from scriptsensei.extraction.parser.contacts import (
    EMAIL_RE,
    WEBSITE_RE,
    phones_in,
    plus_country_code,
)
from scriptsensei.extraction.parser.found import Found
from scriptsensei.extraction.parser.labelled import AGE_GENDER_RE
from scriptsensei.extraction.parser.medications import MedicationEntry
from scriptsensei.extraction.parser.tokens import repair_identifier


def split_age_gender(values: dict[str, Found]) -> None:
    """ "Age/Sex: 34 Y / F" gives both fields; the separate labels win when present."""
    both = values.pop("age_gender", None)
    if both is None:
        return
    m = AGE_GENDER_RE.match(both.value)
    if m is None:
        values.setdefault("patientDetails.age", both)
        return
    age = Found(m["age"].strip(), both.confidence, both.page, both.bbox)
    gender = Found(m["gender"], both.confidence, both.page, both.bbox)
    values.setdefault("patientDetails.age", age)
    values.setdefault("patientDetails.gender", gender)


_IDENTIFIER_PATHS = (
    "patientDetails.uhid",
    "patientDetails.date",
    "doctorDetails.registrationNo",
)


def repair_identifiers(values: dict[str, Found]) -> None:
    for path in _IDENTIFIER_PATHS:
        found = values.get(path)
        if found is not None:
            values[path] = replace(found, value=repair_identifier(found.value))


def tidy_shapes(values: dict[str, Found]) -> None:
    """A labelled value may run into the next item of its line ("Ph: 98765 43210 | www.x.in",
    "Reg. No. TNMC 59599 Dermatologist"): keep only what has the shape of the field, and
    drop a labelled value with no such shape so that an unlabelled reading can stand."""
    for path, extract in (
        ("clinicDetails.contactNumbers", _phones_only),
        ("clinicDetails.email", _email_only),
        ("clinicDetails.website", _website_only),
        ("doctorDetails.registrationNo", _registration_only),
        ("clinicDetails.address", _address_only),
    ):
        found = values.get(path)
        if found is None:
            continue
        cleaned = extract(found.value)
        if cleaned:
            values[path] = replace(found, value=cleaned)
        else:
            del values[path]


_REGISTRATION = re.compile(r"^(?:[A-Z]{2,5}[\s/\-.]*)?\d[\d\s/\-]*\d|^[A-Z]{2,5}[\s/\-]*\d+")
_ADDRESS_END = re.compile(r"^(.*?\b\d{6})\b(?=\s+[A-Z][a-z])")


def _registration_only(text: str) -> str | None:
    m = _REGISTRATION.match(text.strip())
    if m:
        return m[0].strip()
    return text if re.search(r"\d", text) else None  # an unusual format, kept as read


def _address_only(text: str) -> str | None:
    # an Indian address ends with its PIN code; words after it belong to something else
    m = _ADDRESS_END.match(text)
    return m[1] if m else text


def _website_only(text: str) -> str | None:
    m = WEBSITE_RE.search(text)
    return m[0].rstrip(".") if m else None


def _phones_only(text: str) -> str | None:
    phones = [plus_country_code(m[0].strip()) for m in phones_in(text)]
    return ", ".join(phones) or None


def _email_only(text: str) -> str | None:
    m = EMAIL_RE.search(text)
    return m[0] if m else None


def scalar_fields(values: Mapping[str, Found]) -> list[FieldValue]:
    fields = []
    for path in scalar_paths():
        found = values.get(path)
        fields.append(found.field(path) if found else FieldValue(path, None, None))
    return fields


def medication_fields(entries: Sequence[MedicationEntry]) -> list[FieldValue]:
    fields = []
    for index, entry in enumerate(entries):
        for key in MEDICATION_KEYS:
            path = medication_path(index, key)
            found = entry.fields.get(key)
            fields.append(found.field(path) if found else FieldValue(path, None, None))
    return fields
