"""Formulation, route, gender, age and vital signs in one canonical spelling each."""

from __future__ import annotations

import re

FORMULATIONS: dict[str, str] = {
    "tab": "tablet", "tabs": "tablet", "tablet": "tablet", "tablets": "tablet", "t": "tablet",
    "tb": "tablet", "tbl": "tablet",
    "cap": "capsule", "caps": "capsule", "capsule": "capsule", "capsules": "capsule",
    "c": "capsule", "cp": "capsule",
    "syp": "syrup", "syr": "syrup", "syrup": "syrup", "susp": "suspension",
    "suspension": "suspension", "liq": "liquid", "liquid": "liquid", "soln": "solution",
    "sol": "solution", "solution": "solution", "elixir": "elixir", "linctus": "syrup",
    "inj": "injection", "injection": "injection", "amp": "injection", "vial": "injection",
    "oint": "ointment", "ointment": "ointment", "ung": "ointment",
    "crm": "cream", "cream": "cream", "gel": "gel", "lotion": "lotion", "lot": "lotion",
    "drop": "drops", "drops": "drops", "drp": "drops", "gtt": "drops", "gtts": "drops",
    "e/d": "eye drops", "eye drops": "eye drops", "eye drop": "eye drops",
    "ear drops": "ear drops", "ear drop": "ear drops", "nasal drops": "nasal drops",
    "nasal spray": "nasal spray", "spray": "spray", "inh": "inhaler", "inhaler": "inhaler",
    "mdi": "inhaler", "rotacap": "inhaler", "rotacaps": "inhaler", "neb": "nebulisation",
    "nebulisation": "nebulisation", "nebulization": "nebulisation", "respules": "nebulisation",
    "sachet": "sachet", "sach": "sachet", "powder": "powder", "pwd": "powder",
    "granules": "granules", "supp": "suppository", "suppository": "suppository",
    "patch": "patch", "shampoo": "shampoo", "mouthwash": "mouthwash", "paint": "paint",
    "dusting powder": "powder", "lozenge": "lozenge", "lozenges": "lozenge",
}  # fmt: skip
ROUTES: dict[str, str] = {
    "po": "oral", "p.o": "oral", "oral": "oral", "orally": "oral", "by mouth": "oral",
    "per oral": "oral", "iv": "intravenous", "intravenous": "intravenous",
    "im": "intramuscular", "intramuscular": "intramuscular",
    "sc": "subcutaneous", "s/c": "subcutaneous", "subcut": "subcutaneous",
    "subcutaneous": "subcutaneous", "sq": "subcutaneous",
    "topical": "topical", "local": "topical", "external": "topical",
    "local application": "topical", "for external use": "topical", "apply": "topical",
    "l/a": "topical", "la": "topical", "both eyes": "ophthalmic", "eyes": "ophthalmic",
    "by inhalation": "inhalation",
    "sl": "sublingual", "sublingual": "sublingual", "pr": "rectal", "rectal": "rectal",
    "per rectal": "rectal", "pv": "vaginal", "vaginal": "vaginal",
    "inhalation": "inhalation", "inhaled": "inhalation", "inh": "inhalation",
    "nasal": "nasal", "intranasal": "nasal", "ophthalmic": "ophthalmic", "eye": "ophthalmic",
    "otic": "otic", "ear": "otic", "transdermal": "transdermal", "id": "intradermal",
    "intradermal": "intradermal",
}  # fmt: skip
_GENDERS: dict[str, str] = {
    "m": "male", "male": "male", "man": "male", "boy": "male", "mr": "male",
    "f": "female", "female": "female", "woman": "female", "girl": "female", "fe": "female",
    "mrs": "female", "ms": "female", "o": "other", "other": "other", "t": "other",
    "transgender": "other",
}  # fmt: skip
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_AGE_RE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(y|yr|yrs|years?|m|mo|mon|mths?|months?|w|wks?|weeks?|d|days?)?\b",
    re.IGNORECASE,
)
_AGE_UNIT_YEARS = {"y": 1.0, "m": 1 / 12, "w": 7 / 365, "d": 1 / 365}
_BP_RE = re.compile(r"(\d{2,3})\s*/\s*(\d{2,3})")


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w/%]+", " ", text.lower()).split())


def normalize_formulation(text: str | None) -> str | None:
    if not text:
        return None
    key = _words(text)
    return FORMULATIONS.get(key) or FORMULATIONS.get(key.rstrip("s")) or key or None


def normalize_route(text: str | None) -> str | None:
    if not text:
        return None
    key = _words(text.replace(".", ""))
    return ROUTES.get(key) or key or None


def normalize_gender(text: str | None) -> str | None:
    if not text:
        return None
    for word in _words(text).split():
        if word in _GENDERS:
            return _GENDERS[word]
    return _words(text) or None


def age_years(text: str | None) -> float | None:
    """Age in years; "6 months" = 0.5. None when no number is present."""
    if not text:
        return None
    m = _AGE_RE.search(text)
    if not m:
        return None
    unit = (m[2] or "y")[0].lower()
    return round(float(m[1]) * _AGE_UNIT_YEARS[unit], 2)


def normalize_age(text: str | None) -> str | None:
    years = age_years(text)
    return f"{years:g}" if years is not None else None


def normalize_bp(text: str | None) -> str | None:
    if not text:
        return None
    m = _BP_RE.search(text)
    return f"{int(m[1])}/{int(m[2])}" if m else None


def first_number(text: str | None) -> float | None:
    if not text:
        return None
    m = _NUMBER_RE.search(text.replace(",", "."))
    return float(m[0]) if m else None


def normalize_number(text: str | None) -> str | None:
    value = first_number(text)
    return f"{value:g}" if value is not None else None


def normalize_temperature(text: str | None) -> str | None:
    """Fahrenheit, one decimal: 37 °C and 98.6 °F compare equal."""
    value = first_number(text)
    if value is None:
        return None
    celsius = value < 50 or bool(text and re.search(r"°?\s*c\b", text.lower()))
    fahrenheit = value * 9 / 5 + 32 if celsius else value
    return f"{round(fahrenheit, 1):g}"


def normalize_weight(text: str | None) -> str | None:
    value = first_number(text)
    if value is None:
        return None
    if text and re.search(r"\b(lbs?|pounds?)\b", text.lower()):
        value = value * 0.45359237
    return f"{round(value, 1):g}"


def normalize_height(text: str | None) -> str | None:
    """Centimetres: 1.7 m, 170 cm and 5'7" are all heights."""
    if not text:
        return None
    if m := re.search(r"(\d)\s*(?:'|ft|feet)\s*(\d{1,2})?", text.lower()):
        return f"{round((int(m[1]) * 12 + int(m[2] or 0)) * 2.54):g}"
    value = first_number(text)
    if value is None:
        return None
    if value < 3:  # metres
        value *= 100
    return f"{round(value, 1):g}"
