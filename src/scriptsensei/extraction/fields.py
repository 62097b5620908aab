"""The `extractedData` shape shared with the earlier app, and its dotted field paths.

A field row's `field_name` is the dotted path in this shape (`patientDetails.patientName`,
`medications.0.drugName`). Unknown is `null`; an engine's "NA" is read as null.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

# Group name -> leaf keys, in the order the earlier app used. `medications` is a list of
# objects with MEDICATION_KEYS; every other group is one object.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "prescriptionType": ("type", "customType"),
    "patientDetails": ("patientName", "age", "gender", "uhid", "date", "allergies"),
    "clinicalDetails": ("diagnosis", "chiefComplaints", "medicalHistory", "examination"),
    "vitals": (
        "bloodPressure",
        "pulse",
        "temperature",
        "spO2",
        "weight",
        "height",
        "bmi",
        "others",
    ),
    "medications": (
        "drugName",
        "formulation",
        "strength",
        "route",
        "frequency",
        "duration",
        "specialInstructions",
    ),
    "advice": ("lifestyleAdvice", "investigations", "followUpInstructions"),
    "doctorDetails": ("doctorName", "signature", "registrationNo", "specialization"),
    "clinicDetails": (
        "clinicName",
        "hospitalName",
        "branch",
        "location",
        "address",
        "contactNumbers",
        "email",
        "website",
        "logo",
        "branding",
    ),
}
MEDICATIONS = "medications"
MEDICATION_KEYS = FIELD_GROUPS[MEDICATIONS]
GROUP_NAMES: tuple[str, ...] = tuple(FIELD_GROUPS)

# Strings engines use to say "not present"; all are read as null.
NULL_MARKERS = frozenset(
    {"", "na", "n/a", "n.a.", "nil", "none", "null", "-", "--", "not available"}
)


def scalar_paths(groups: Iterable[str] = GROUP_NAMES) -> list[str]:
    """Dotted paths of every non-medication leaf in the given groups."""
    return [f"{g}.{k}" for g in groups if g != MEDICATIONS for k in FIELD_GROUPS[g]]


def medication_path(index: int, key: str) -> str:
    return f"{MEDICATIONS}.{index}.{key}"


def split_path(path: str) -> tuple[str, int | None, str]:
    """`medications.2.strength` -> ("medications", 2, "strength"); others -> (group, None, key).

    Raises ValueError for a path that is not in the shape.
    """
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == MEDICATIONS and parts[1].isdigit():
        if parts[2] in MEDICATION_KEYS:
            return MEDICATIONS, int(parts[1]), parts[2]
    elif len(parts) == 2 and parts[0] != MEDICATIONS and parts[1] in FIELD_GROUPS.get(parts[0], ()):
        return parts[0], None, parts[1]
    raise ValueError(f"'{path}' is not a field of the prescription shape")


def is_valid_path(path: str) -> bool:
    try:
        split_path(path)
    except ValueError:
        return False
    return True


def is_valid_selector(selector: str) -> bool:
    """A selector names a whole group (`vitals`), a leaf (`vitals.pulse`) or a medication key
    for every medication (`medications.strength`)."""
    if selector in FIELD_GROUPS:
        return True
    group, _, key = selector.partition(".")
    if group == MEDICATIONS and key in MEDICATION_KEYS:
        return True
    return is_valid_path(selector)


def path_selected(path: str, selectors: Iterable[str]) -> bool:
    """True when `path` is covered by the selectors (an empty selection covers everything)."""
    chosen = list(selectors)
    if not chosen:
        return True
    group, _index, key = split_path(path)
    generic = f"{group}.{key}"
    return any(s in (group, path, generic) for s in chosen)


def clean_value(value: Any) -> str | None:
    """Engines' values as text; null markers and blanks become None."""
    if value is None:
        return None
    if isinstance(value, list):
        parts = [v for v in (clean_value(x) for x in value) if v]
        value = ", ".join(parts)
    text = " ".join(str(value).split())
    return None if text.lower() in NULL_MARKERS else text


def empty_shape() -> dict[str, Any]:
    """The shape with every field null and no medications."""
    shape: dict[str, Any] = {g: dict.fromkeys(keys) for g, keys in FIELD_GROUPS.items()}
    shape[MEDICATIONS] = []
    return shape


def flatten(data: Mapping[str, Any] | None) -> dict[str, str | None]:
    """Nested `extractedData` -> {dotted path: value}, with every scalar leaf present."""
    flat: dict[str, str | None] = dict.fromkeys(scalar_paths())
    data = data or {}
    for group in GROUP_NAMES:
        section = data.get(group)
        if group == MEDICATIONS:
            for i, med in enumerate(section if isinstance(section, list) else []):
                med = med if isinstance(med, Mapping) else {}
                for key in MEDICATION_KEYS:
                    flat[medication_path(i, key)] = clean_value(med.get(key))
        elif isinstance(section, Mapping):
            for key in FIELD_GROUPS[group]:
                flat[f"{group}.{key}"] = clean_value(section.get(key))
    return flat


def unflatten(flat: Mapping[str, str | None]) -> dict[str, Any]:
    """{dotted path: value} -> nested `extractedData`; unknown paths are ignored."""
    shape = empty_shape()
    meds: dict[int, dict[str, str | None]] = {}
    for path, value in flat.items():
        try:
            group, index, key = split_path(path)
        except ValueError:
            continue
        if index is None:
            shape[group][key] = value
        else:
            meds.setdefault(index, dict.fromkeys(MEDICATION_KEYS))[key] = value
    shape[MEDICATIONS] = [meds[i] for i in sorted(meds)]
    return shape


def iter_medication_indexes(paths: Iterable[str]) -> Iterator[int]:
    seen: set[int] = set()
    for path in paths:
        parts = path.split(".")
        if parts[0] == MEDICATIONS and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1])
            if index not in seen:
                seen.add(index)
                yield index
