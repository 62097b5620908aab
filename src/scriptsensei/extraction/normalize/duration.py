"""Durations -> days: "x 5 days" = 5, "1 week" = 7, "2 wks" = 14, "1 month" = 30, "5/7" = 5."""

from __future__ import annotations

import re

_UNIT_DAYS: dict[str, int] = {"d": 1, "w": 7, "m": 30, "y": 365}
_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "fourteen": 14, "fifteen": 15, "thirty": 30,
}  # fmt: skip
DURATION_RE = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|fourteen|"
    r"fifteen|thirty)\s*(?:-\s*)?"
    r"(d|days?|dys?|w|wks?|weeks?|m|mths?|mnths?|months?|y|yrs?|years?)\b",
    re.IGNORECASE,
)
# British/Indian clinical shorthand: 5/7 = five days, 2/52 = two weeks, 3/12 = three months
_SLASH_RE = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(7|52|12)(?![\d/])")
_SLASH_DAYS = {"7": 1, "52": 7, "12": 30}
ONGOING_RE = re.compile(r"\b(continue|cont\.?|ongoing|long[\s-]?term|lifelong|till further)\b",
                        re.IGNORECASE)  # fmt: skip


def duration_days(text: str | None) -> float | None:
    """Days covered by the first duration in `text`, or None."""
    if not text:
        return None
    if m := DURATION_RE.search(text):
        raw = m[1].lower()
        count = _WORDS[raw] if raw in _WORDS else float(raw)
        return count * _UNIT_DAYS[m[2][0].lower()]
    if m := _SLASH_RE.search(text):
        return int(m[1]) * _SLASH_DAYS[m[2]]
    return None


def normalize_duration(text: str | None) -> str | None:
    days = duration_days(text)
    if days is not None:
        return f"{days:g} days"
    if text and ONGOING_RE.search(text):
        return "ongoing"
    return None
