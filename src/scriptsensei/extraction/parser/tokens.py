"""Repairs to OCR text before parsing: RapidOCR merges words ("Tab.Dolo650",
"1-0-1x5days") and column rules are read as stray "|" or "I"."""

from __future__ import annotations

import re

_FIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=[A-Za-z])\.(?=[A-Za-z]{2})"), ". "),  # Tab.Dolo -> Tab. Dolo
    (re.compile(r"(?<=[A-Za-z]{3})(?=\d)"), " "),  # Dolo650 -> Dolo 650
    (re.compile(r"(?<=\d)\s*[xX\u00d7]\s*(?=\d)"), " x "),  # 1-0-1x5 -> 1-0-1 x 5
    (re.compile(r"(?<=\d)(?=(?:days?|weeks?|wks?|months?)\b)", re.IGNORECASE), " "),
    (re.compile(r"(?<=[a-z])(?=\()"), " "),  # food(after -> food (after
    (re.compile(r"(?<=\s)[|!¦](?=\s)|^\s*[|¦]\s*|\s*[|¦]\s*$"), " "),  # column rules
    # letters read as look-alikes in the words a medication line is made of
    (re.compile(r"(?<=\d)\s*mI\b"), " ml"),
    (re.compile(r"\b0D\b"), "OD"),
    (re.compile(r"\bB0\b"), "BD"),
    (re.compile(r"\bIN[)J1l|]"), "INJ"),
)
_SPACES = re.compile(r"[ \t]+")


def repair(text: str) -> str:
    for pattern, replacement in _FIXES:
        text = pattern.sub(replacement, text)
    return _SPACES.sub(" ", text).strip()


# List markers before a medication: "1.", "2)", "(3)", "•", "-", "*", a table's number cell.
MARKER_RE = re.compile(
    r"^\s*(?:\(?\d{1,2}\s*[.)]|\d{1,2}(?=\s+[A-Za-z])|[•·\-*\u2013►▪○●◦✓>»o]\s)\s*"
)


def strip_marker(text: str) -> tuple[str, int]:
    """Text without its list marker, and how many characters were removed."""
    m = MARKER_RE.match(text)
    if not m:
        return text, 0
    return text[m.end() :], m.end()
