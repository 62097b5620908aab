"""Spans of the parts of a medication line: formulation, strength, route, frequency,
duration and instructions. Each finder returns (start, end, quality) or None."""

from __future__ import annotations

import re

from scriptsensei.extraction.normalize.clinical import FORMULATIONS
from scriptsensei.extraction.normalize.duration import DURATION_RE
from scriptsensei.extraction.normalize.strength import STRENGTH_RE

Span = tuple[int, int, float]

# Abbreviations a prescriber writes before the name; one-letter forms need their dot.
_LEADING_FORMS = sorted((k for k in FORMULATIONS if len(k) > 1), key=len, reverse=True)
LEADING_FORM_RE = re.compile(
    r"^\s*(" + "|".join(re.escape(f) for f in _LEADING_FORMS) + r"|[tc](?=\.))\b\.?",
    re.IGNORECASE,
)
_TRAILING_FORMS = (
    "tablets", "tablet", "capsules", "capsule", "syrup", "suspension", "injection", "ointment",
    "cream", "gel", "eye drops", "ear drops", "drops", "inhaler", "sachet", "lotion", "spray",
    "solution", "powder",
)  # fmt: skip
TRAILING_FORM_RE = re.compile(r"\b(" + "|".join(_TRAILING_FORMS) + r")\b", re.IGNORECASE)

_ROUTES = (
    "by mouth", "per oral", "orally", "oral", "po", "p\\.o\\.", "iv", "i\\.v\\.", "im",
    "i\\.m\\.", "sc", "s/c", "subcut", "subcutaneous", "intravenous", "intramuscular",
    "topical", "local application", "local", "l/a", "externally", "both eyes", "eye", "ear",
    "inhalation", "inhaled", "sublingual", "sl", "per rectal", "nasal",
)  # fmt: skip
ROUTE_RE = re.compile(r"(?<![\w/])(" + "|".join(_ROUTES) + r")(?![\w/])", re.IGNORECASE)

_DOSE_PATTERN = r"(?<![\d/.])(?:[0-4](?:\.5)?|½|1/2)\s*-\s*(?:[0-4](?:\.5)?|½|1/2)\s*-\s*(?:[0-4](?:\.5)?|½|1/2)(?:-(?:[0-4](?:\.5)?|½|1/2))?(?![\d/.])"
_FREQ_WORDS = (
    r"once\s+(?:a|per)\s+week", r"twice\s+(?:a|per)\s+week", r"once\s+weekly",
    r"(?:once|twice|thrice|one|two|three|four)\s+(?:times?\s+)?(?:a\s+|per\s+)?(?:day|daily)",
    r"(?:1|2|3|4)\s*times\s+(?:a\s+)?(?:day|daily)",
    r"every\s+\d{1,2}\s*(?:hours|hrs|hr|h)\b", r"q\s?\d{1,2}\s?h\b",
    r"every\s+(?:morning|night|evening|day)", r"at\s+bed\s*time", r"at\s+night", r"bedtime",
    r"as\s+(?:needed|required)", r"when\s+required", r"if\s+needed", r"alternate\s+days?",
    r"daily",
)  # fmt: skip
_FREQ_CODES = r"(?:o\.?d|b\.?d|b\.?i\.?d|t\.?d\.?s|t\.?i\.?d|q\.?i\.?d|q\.?d\.?s|h\.?s|s\.?o\.?s|p\.?r\.?n|stat|qhs|qam|qpm|bds)"
FREQUENCY_RE = re.compile(
    rf"{_DOSE_PATTERN}|(?<![\w/])(?:{'|'.join(_FREQ_WORDS)})(?![\w/])|(?<![\w/]){_FREQ_CODES}\.?(?![\w/])",
    re.IGNORECASE,
)
_DURATION_LEAD = re.compile(r"(?:\bx|\bfor|\u00d7)\s*$", re.IGNORECASE)


def leading_form(text: str) -> Span | None:
    m = LEADING_FORM_RE.match(text)
    if not m:
        return None
    return m.start(1), m.end(1), 0.95


def trailing_form(text: str, start: int) -> Span | None:
    m = TRAILING_FORM_RE.search(text, start)
    return (m.start(1), m.end(1), 0.85) if m else None


def strength(text: str, start: int, end: int) -> Span | None:
    m = STRENGTH_RE.search(text, start, end)
    return (m.start(), m.end(), 0.95) if m else None


def frequency(text: str, start: int) -> Span | None:
    m = FREQUENCY_RE.search(text, start)
    if not m:
        return None
    quality = 0.95 if any(ch.isdigit() for ch in m[0]) or len(m[0]) <= 4 else 0.9
    return m.start(), m.end(), quality


def route(text: str, start: int, end: int) -> Span | None:
    m = ROUTE_RE.search(text, start, end)
    return (m.start(1), m.end(1), 0.85) if m else None


def duration(text: str, start: int) -> Span | None:
    m = DURATION_RE.search(text, start)
    if not m:
        return None
    # "x 5 days" / "for 5 days" is certainly a duration; a bare "5 days" nearly so.
    quality = 0.95 if _DURATION_LEAD.search(text[max(0, m.start() - 5) : m.start()]) else 0.85
    return m.start(), m.end(), quality
