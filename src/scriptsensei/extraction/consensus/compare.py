"""When two engines' readings of a field are the same value.

Clinical fields compare their normalised forms exactly: "500 mg" and "50 mg" differ by
one character and are a hard conflict, as are "BD" and "TDS" (2 and 3 times a day).
Dates, numbers and identifiers compare exactly too ("2024-04-08" and "2025-04-08" are
two dates, not one misspelt), though a majority may outvote them. Other text fields
tolerate small reading differences ("Dr. A. Sharma" / "Dr A Sharma").
"""

from __future__ import annotations

from rapidfuzz import fuzz

from scriptsensei.extraction.fields import FIELD_GROUPS
from scriptsensei.extraction.normalize import normalize_value

# A difference in any of these is a hard conflict, never outvoted.
HARD_KEYS = frozenset({"drugName", "strength", "frequency", "route", "duration"})
# One engine alone reading these is not enough to trust them without a look.
REVIEW_WHEN_SINGLE = HARD_KEYS | frozenset({"allergies"})
# Normalised to a date, a number or an identifier: one character apart is another value.
# (Every vital sign is a measurement, bar the free-text "others".)
_MEASURES = frozenset(FIELD_GROUPS["vitals"]) - {"others"}
_IDENTIFIERS = frozenset({"date", "age", "uhid", "registrationNo", "contactNumbers", "email"})
EXACT_KEYS = _MEASURES | _IDENTIFIERS | {"website"}
SOFT_MATCH_RATIO = 90.0


def leaf_key(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def is_hard(path: str) -> bool:
    return leaf_key(path) in HARD_KEYS


def comparable(path: str, value: str | None) -> str | None:
    """The form two readings are compared in (None when nothing was read)."""
    return normalize_value(path, value)


def same_reading(path: str, a: str, b: str) -> bool:
    """`a` and `b` are normalised readings of the field at `path`."""
    if a == b:
        return True
    if is_hard(path) or leaf_key(path) in EXACT_KEYS:
        return False
    return fuzz.ratio(a, b) >= SOFT_MATCH_RATIO
