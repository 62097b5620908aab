"""Vitals printed as a table: a row of labels ("BP  Pulse  Temp  SpO2") over a row of
values. The value row is read left to right, each column by the shape of its value, so
the split does not depend on where the OCR put word boundaries."""

from __future__ import annotations

import re
from collections.abc import Sequence

from scriptsensei.extraction.parser.found import Found
from scriptsensei.extraction.parser.labels import LABEL_RE, key_of
from scriptsensei.extraction.parser.layout import Row
from scriptsensei.extraction.parser.linetext import line_text

VALUE_PATTERNS: dict[str, re.Pattern[str]] = {
    key: re.compile(pattern, re.IGNORECASE)
    for key, pattern in {
        "vitals.bloodPressure": r"\d{2,3}\s*/\s*\d{2,3}(?:\s*mm\s*hg)?",
        "vitals.pulse": r"\d{2,3}(?:\s*/\s*min|\s*bpm)?",
        "vitals.temperature": r"\d{2,3}(?:\.\d)?\s*°?\s*(?:[℃℉]|[fc]\b)?",
        "vitals.spO2": r"\d{2,3}\s*%",
        "vitals.weight": r"\d{1,3}(?:\.\d)?\s*kg",
        "vitals.height": r"\d{2,3}(?:\.\d)?\s*cm",
        "vitals.bmi": r"\d{1,2}(?:\.\d{1,2})?",
        "vitals.others": r".+",
    }.items()
}
_OTHERS_WORDS = re.compile(r"\bothers?\b", re.IGNORECASE)
_GAP = re.compile(r"[\s|\-:]*")


def header_keys(row: Row) -> list[str] | None:
    """The vitals keys of a row made only of vitals labels, in order; else None."""
    text = _OTHERS_WORDS.sub(" others ", row.text)
    keys, rest = [], text
    for m in LABEL_RE.finditer(text):
        keys.append(key_of(m[1]))
        rest = rest.replace(m[0], " ", 1)
    rest = _OTHERS_WORDS.sub(" ", rest)
    if "others" in text.lower():
        keys.append("vitals.others")
    vitals = [k for k in keys if k.startswith("vitals.")]
    if len(vitals) < 2 or len(vitals) != len(keys) or re.search(r"\w", rest):
        return None
    return vitals


def vitals_table(rows: Sequence[Row], skip: set[int]) -> tuple[dict[str, Found], set[int]]:
    """Values of every vitals table, and the rows it used."""
    found: dict[str, Found] = {}
    used: set[int] = set()
    for index, row in enumerate(rows[:-1]):
        keys = None if index in skip else header_keys(row)
        below = rows[index + 1]
        if keys is None or below.page != row.page or below.y0 - row.y1 > row.height * 2:
            continue
        found.update(_read_values(below, keys))
        used |= {index, index + 1}
    return found, used


def _read_values(row: Row, keys: list[str]) -> dict[str, Found]:
    line = line_text(row.segments)
    values: dict[str, Found] = {}
    position = 0
    # "Others" is read last whatever its place: its pattern takes the rest of the row.
    ordered = [k for k in keys if k != "vitals.others"] + [k for k in keys if k == "vitals.others"]
    for key in ordered:
        gap = _GAP.match(line.text, position)
        position = gap.end() if gap else position
        m = VALUE_PATTERNS[key].match(line.text, position)
        if m is None:
            continue
        values[key] = line.found(m.start(), m.end(), 0.85)
        position = m.end()
    return values
