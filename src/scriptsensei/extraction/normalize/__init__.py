"""Normalisation shared by every engine and by the consensus to compare values.

Values are stored as written; these functions give the form two values are compared in.
`normalize_value(path, value)` dispatches on the path's leaf key.
"""

from __future__ import annotations

from collections.abc import Callable

from scriptsensei.extraction.normalize.clinical import (
    age_years,
    first_number,
    normalize_age,
    normalize_bp,
    normalize_formulation,
    normalize_gender,
    normalize_height,
    normalize_number,
    normalize_route,
    normalize_temperature,
    normalize_weight,
)
from scriptsensei.extraction.normalize.conflicts import is_hard_conflict
from scriptsensei.extraction.normalize.dates import parse_date
from scriptsensei.extraction.normalize.drugs import normalize_drug_name
from scriptsensei.extraction.normalize.duration import duration_days, normalize_duration
from scriptsensei.extraction.normalize.frequency import (
    Frequency,
    frequency_per_day,
    parse_frequency,
)
from scriptsensei.extraction.normalize.strength import Strength, parse_strength
from scriptsensei.extraction.normalize.text import (
    normalize_email,
    normalize_identifier,
    normalize_person_name,
    normalize_phones,
    normalize_text,
    normalize_website,
    phone_numbers,
)

__all__ = [
    "Frequency",
    "Strength",
    "age_years",
    "duration_days",
    "first_number",
    "frequency_per_day",
    "is_hard_conflict",
    "normalize_age",
    "normalize_bp",
    "normalize_date",
    "normalize_drug_name",
    "normalize_duration",
    "normalize_formulation",
    "normalize_frequency",
    "normalize_gender",
    "normalize_route",
    "normalize_strength",
    "normalize_text",
    "normalize_value",
    "parse_date",
    "parse_frequency",
    "parse_strength",
    "phone_numbers",
]


def normalize_date(text: str | None) -> str | None:
    return parse_date(text) or normalize_text(text)


def normalize_frequency(text: str | None) -> str | None:
    parsed = parse_frequency(text)
    return parsed.canonical() if parsed else normalize_text(text)


def normalize_strength(text: str | None) -> str | None:
    parsed = parse_strength(text)
    return parsed.canonical() if parsed else normalize_text(text)


def _fallback(function: Callable[[str | None], str | None]) -> Callable[[str | None], str | None]:
    """Use `function`, or plain text folding when it finds nothing it recognises."""

    def normalized(text: str | None) -> str | None:
        return function(text) or normalize_text(text)

    return normalized


_BY_KEY: dict[str, Callable[[str | None], str | None]] = {
    "date": normalize_date,
    "age": _fallback(normalize_age),
    "gender": _fallback(normalize_gender),
    "uhid": normalize_identifier,
    "registrationNo": normalize_identifier,
    "patientName": normalize_person_name,
    "doctorName": normalize_person_name,
    "bloodPressure": _fallback(normalize_bp),
    "pulse": _fallback(normalize_number),
    "spO2": _fallback(normalize_number),
    "bmi": _fallback(normalize_number),
    "temperature": _fallback(normalize_temperature),
    "weight": _fallback(normalize_weight),
    "height": _fallback(normalize_height),
    "drugName": normalize_drug_name,
    "formulation": normalize_formulation,
    "strength": normalize_strength,
    "route": normalize_route,
    "frequency": normalize_frequency,
    "duration": _fallback(normalize_duration),
    "contactNumbers": normalize_phones,
    "email": normalize_email,
    "website": normalize_website,
}


def normalize_value(path: str, value: str | None) -> str | None:
    """The comparable form of `value` for the field at dotted `path` (None stays None)."""
    if value is None or not value.strip():
        return None
    key = path.rsplit(".", 1)[-1]
    return _BY_KEY.get(key, normalize_text)(value)
