"""Which disagreements between two readings are clinically hard conflicts.

A different drug, strength (amount or unit), number of doses a day or number of days
changes what the patient takes; a different spelling of a name or a complaint does not.
"""

from __future__ import annotations

from scriptsensei.extraction.normalize.duration import duration_days
from scriptsensei.extraction.normalize.frequency import parse_frequency
from scriptsensei.extraction.normalize.strength import parse_strength

HARD_KEYS = frozenset({"drugName", "strength", "frequency", "duration", "route", "formulation"})


def is_hard_conflict(path: str, a: str | None, b: str | None) -> bool:
    """True when both values are present and differ in a way that changes the treatment."""
    key = path.rsplit(".", 1)[-1]
    if key not in HARD_KEYS or a is None or b is None:
        return False
    from scriptsensei.extraction.normalize import normalize_value

    if key == "strength":
        return _strength_differs(a, b)
    if key == "frequency":
        return _frequency_differs(a, b)
    if key == "duration":
        days_a, days_b = duration_days(a), duration_days(b)
        if days_a is not None and days_b is not None:
            return days_a != days_b
    return normalize_value(path, a) != normalize_value(path, b)


def _strength_differs(a: str, b: str) -> bool:
    sa, sb = parse_strength(a), parse_strength(b)
    if sa is None or sb is None:
        return (sa is None) != (sb is None)
    return sa.canonical() != sb.canonical()


def _frequency_differs(a: str, b: str) -> bool:
    fa, fb = parse_frequency(a), parse_frequency(b)
    if fa is None or fb is None:
        return (fa is None) != (fb is None)
    return (fa.per_day, fa.as_needed) != (fb.per_day, fb.as_needed)
