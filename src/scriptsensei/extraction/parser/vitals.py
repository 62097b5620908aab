"""Vitals printed as a table: a row of labels ("BP  Pulse  Temp  SpO2") over a row of
values. The value row is read left to right, each column by the shape of its value, so
the split does not depend on where the OCR put word boundaries."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz.distance import Levenshtein

from scriptsensei.extraction.parser.found import Found
from scriptsensei.extraction.parser.labels import LABELS
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
_GAP = re.compile(r"[\s|\-:]*")
# Column titles of a vitals table, one or two words each; "Others" holds the rest.
_TITLES: dict[str, str] = {
    variant: key
    for key, variants in LABELS.items()
    if key.startswith("vitals.")
    for variant in variants
}
_TITLES.update({"others": "vitals.others", "other": "vitals.others"})


def _title_key(words: str) -> str | None:
    """The vitals key of a column title, allowing one OCR slip in titles of 3+ letters."""
    low = words.lower().strip(" :.")
    if low in _TITLES:
        return _TITLES[low]
    if len(low) < 3:
        return None
    near = [
        key
        for title, key in _TITLES.items()
        if len(title) >= 2 and Levenshtein.distance(low, title) <= 1
    ]
    return near[0] if len(set(near)) == 1 else None


def header_keys(row: Row) -> list[str] | None:
    """The vitals keys of a row made only of vitals column titles, in order; else None."""
    words = row.text.split()
    keys: list[str] = []
    i = 0
    while i < len(words):
        pair = _title_key(" ".join(words[i : i + 2])) if i + 1 < len(words) else None
        single = None if pair else _title_key(words[i])
        if pair is None and single is None:
            return None
        keys.append(pair or single or "")
        i += 2 if pair else 1
    return keys if len(keys) >= 2 else None


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
