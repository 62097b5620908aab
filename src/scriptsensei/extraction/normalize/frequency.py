"""Sig codes and dosing schedules -> times per day.

OD=1, BD/BID=2, TDS/TID=3, QID=4, HS=1 (at night), SOS/PRN = as needed, 1-0-1 = 2,
"every 8 hours" = 3, "once a week" = 1/7. Two schedules with a different count per day
are a hard conflict for the consensus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Frequency:
    per_day: Fraction | None  # None when only "as needed" (or nothing) is known
    as_needed: bool = False

    def canonical(self) -> str | None:
        if self.per_day is None:
            return "as needed" if self.as_needed else None
        count = f"{float(self.per_day):g}/day"
        return f"{count} as needed" if self.as_needed else count


_HALF = r"(?:1/2|1/4|[0-4](?:\.5)?|½|¼)"
# 1-0-1, 1-1-1-1, 1/2-0-1/2, 1 - 0 - 1 (OCR sometimes reads a dash as _ or an en dash).
# A fourth dose is written tight (1-1-1-1); "1-0-1 - 3 days" is three doses and a duration.
_DASH = "[-_\u2013\u2014]"
_PATTERN = re.compile(rf"(?<![\d/.])({_HALF})\s*{_DASH}\s*({_HALF})\s*{_DASH}\s*({_HALF})"
                      rf"(?:{_DASH}({_HALF}))?(?![\d/.])")  # fmt: skip
_EVERY_HOURS = re.compile(r"\b(?:every|evry|q)\s*(\d{1,2})\s*(?:h|hr|hrs|hours?|hourly)\b")
_EVERY_DAYS = re.compile(r"\bevery\s*(\d{1,2})\s*days?\b")

_CODES: dict[str, Fraction] = {
    "od": Fraction(1), "qd": Fraction(1), "qam": Fraction(1), "qpm": Fraction(1),
    "hs": Fraction(1), "qhs": Fraction(1), "stat": Fraction(1), "daily": Fraction(1),
    "bd": Fraction(2), "bid": Fraction(2), "bds": Fraction(2),
    "tds": Fraction(3), "tid": Fraction(3),
    "qid": Fraction(4), "qds": Fraction(4),
    "qod": Fraction(1, 2), "eod": Fraction(1, 2),
    "weekly": Fraction(1, 7), "fortnightly": Fraction(1, 14), "monthly": Fraction(1, 30),
}  # fmt: skip
_PHRASES: list[tuple[re.Pattern[str], Fraction]] = [
    (re.compile(r"\b(once|one time|1 time|1x)\s*(a|per|in a|every)?\s*(day|daily)\b"), Fraction(1)),
    (re.compile(r"\b(twice|two times|2 times|2x)\s*(a|per|in a)?\s*(day|daily)\b"), Fraction(2)),
    (re.compile(r"\b(thrice|three times|3 times|3x)\s*(a|per|in a)?\s*(day|daily)\b"), Fraction(3)),
    (re.compile(r"\b(four times|4 times|4x)\s*(a|per|in a)?\s*(day|daily)\b"), Fraction(4)),
    (re.compile(r"\b(once|1x)\s*(a|per|every)\s*week\b"), Fraction(1, 7)),
    (re.compile(r"\b(twice|2x)\s*(a|per)\s*week\b"), Fraction(2, 7)),
    (re.compile(r"\balternate\s*days?\b"), Fraction(1, 2)),
    (re.compile(r"\b(at\s*bed\s*time|bedtime|at\s*night|every\s*night|nightly)\b"), Fraction(1)),
    (re.compile(r"\b(every|each)\s*(morning|day)\b"), Fraction(1)),
    (re.compile(r"\bonce\b"), Fraction(1)),
]  # fmt: skip
_AS_NEEDED = re.compile(
    r"\b(sos|prn|p\.r\.n|s\.o\.s|as needed|as required|when required|if required|"
    r"when needed|if needed|as and when|on demand)\b"
)
_FRACTIONS = {
    "½": Fraction(1, 2),
    "1/2": Fraction(1, 2),
    "¼": Fraction(1, 4),
    "1/4": Fraction(1, 4),
}


def _dose_count(token: str | None) -> Fraction:
    if token is None:
        return Fraction(0)
    return _FRACTIONS.get(token) or Fraction(token)


def _from_pattern(text: str) -> Fraction | None:
    """1-0-1 counts the doses taken (a half tablet is still one administration)."""
    m = _PATTERN.search(text)
    if not m:
        return None
    return Fraction(sum(1 for g in m.groups() if _dose_count(g) > 0))


def _from_codes(text: str) -> Fraction | None:
    # b.i.d. and t.d.s. are written with dots between the letters
    for word in re.findall(r"[a-z]+", text.replace(".", "")):
        if word in _CODES:
            return _CODES[word]
    return None


def _from_phrases(text: str) -> Fraction | None:
    if m := _EVERY_HOURS.search(text):
        hours = int(m[1])
        return Fraction(24, hours) if hours else None
    if m := _EVERY_DAYS.search(text):
        days = int(m[1])
        return Fraction(1, days) if days else None
    for pattern, per_day in _PHRASES:
        if pattern.search(text):
            return per_day
    return None


def parse_frequency(text: str | None) -> Frequency | None:
    """Read a schedule; None when nothing in `text` looks like one."""
    if not text:
        return None
    low = " ".join(text.lower().split())
    per_day = _from_pattern(low)
    if per_day is None:
        per_day = _from_phrases(low)
    if per_day is None:
        per_day = _from_codes(low)
    as_needed = bool(_AS_NEEDED.search(low))
    if per_day is None and not as_needed:
        return None
    return Frequency(per_day, as_needed)


def frequency_per_day(text: str | None) -> float | None:
    """Times per day, or None when unknown or only "as needed"."""
    parsed = parse_frequency(text)
    return float(parsed.per_day) if parsed and parsed.per_day is not None else None
