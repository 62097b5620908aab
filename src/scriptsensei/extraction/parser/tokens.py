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
    (re.compile(r"(?<=\d)\s*m[Ii]\b"), " ml"),
    (re.compile(r"\b[Ss](?=\s+(?:days?|weeks?|months?)\b)"), "5"),  # "x S days"
    (re.compile(r"\b0D\b"), "OD"),
    (re.compile(r"\bB0\b"), "BD"),
    (re.compile(r"\bIN[)J1l|]"), "INJ"),
    (re.compile(r"(?<=\s)[Il](?=\s)"), " "),  # a column rule read as a letter
    # C or O read for a zero inside a number: "4C mg", "2CC mcg", "1-C-1"
    (re.compile(r"(?<=\d)[CcOo](?=[\dCcOo]*\s*(?:mg|mcg|ml|g|iu)\b)", re.IGNORECASE), "0"),
    (re.compile(r"(?<=\d)[CcOo](?=[CcOo]*\s*(?:mg|mcg|ml|g|iu)\b)", re.IGNORECASE), "0"),
    (re.compile(r"(?<=\d-)[CcOo](?=-\d)"), "0"),
    (re.compile(r"(?<![\w.])[CcOo](?=\.\d+\s*(?:%|mg|mcg|ml|g)(?!\w))", re.IGNORECASE), "0"),
    (re.compile(r"(?<=\d)[CcOo](?=\s*(?:days?|weeks?|months?)\b)"), "0"),
    (re.compile(r"(?<=\d-\d-)[CcOo]\b|\b[CcOo](?=-\d-\d)"), "0"),
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


_CAPS_TOKEN = re.compile(r"\b[A-Z]*l[A-Z]+\b|\b[A-Z]+l[A-Z]*\b")
_DIGIT_LOOKALIKES = re.compile(
    r"(?<=\d)[CcOoDQ](?=[\dCcOoDQ]*\d)|(?<=\d)[CcOoDQ]\b|(?<=[\d.\-/])[CcOoDQ](?=\d)|\b[Oo](?=\d{2})"
)


def repair_identifier(text: str) -> str:
    """IDs, registration numbers and dates: an "l" among capitals is an I ("MCl-2013" ->
    "MCI-2013"), and C/O/D/Q among digits are zeros ("MR586C15" -> "MR586015")."""
    text = _CAPS_TOKEN.sub(lambda m: m[0].replace("l", "I"), text)
    text = re.sub(r"\bMC[1l|](?=[\s\-/]\d)", "MCI", text)
    previous = None
    while previous != text:  # neighbouring look-alikes ("2C25") need a second pass
        previous, text = text, _DIGIT_LOOKALIKES.sub("0", text)
    return text
