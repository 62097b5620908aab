"""Dates as written on prescriptions -> ISO `YYYY-MM-DD`.

Indian prescriptions write day first (12/03/2025), so an ambiguous numeric date is read
day-month; a date that can only be month-day (03/25/2025) is read that way.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_ISO = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})\b")
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.,]*{_MONTH}[\s\-/.,']*(\d{{4}}|\d{{2}})\b"
)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s*(\d{{1,2}})(?:st|nd|rd|th)?[\s,.\-]+(\d{{4}}|\d{{2}})\b")
_COMPACT = re.compile(r"\b(\d{2})(\d{2})(\d{4})\b")


def _year(text: str) -> int:
    # Two-digit years on a prescription are this century unless clearly a birth year.
    value = int(text)
    if len(text) == 4:
        return value
    return 2000 + value if value < 70 else 1900 + value


def _build(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _numeric(first: int, second: int, year: int) -> str | None:
    if second > 12 >= first:
        return _build(year, first, second)  # only month-day makes sense
    return _build(year, second, first)


def parse_date(text: str | None) -> str | None:
    """Return the first date found in `text` as ISO, or None."""
    if not text:
        return None
    low = text.lower()
    candidates: list[tuple[int, str | None]] = []
    if m := _ISO.search(low):
        candidates.append((m.start(), _build(int(m[1]), int(m[2]), int(m[3]))))
    if m := _NUMERIC.search(low):
        candidates.append((m.start(), _numeric(int(m[1]), int(m[2]), _year(m[3]))))
    if m := _DAY_MONTH.search(low):
        candidates.append((m.start(), _build(_year(m[3]), MONTHS[m[2][:3]], int(m[1]))))
    if m := _MONTH_DAY.search(low):
        candidates.append((m.start(), _build(_year(m[3]), MONTHS[m[1][:3]], int(m[2]))))
    if m := _COMPACT.search(low):
        candidates.append((m.start(), _build(int(m[3]), int(m[2]), int(m[1]))))
    valid = sorted((pos, iso) for pos, iso in candidates if iso)
    return valid[0][1] if valid else None
