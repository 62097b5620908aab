"""Medication lines: which rows are medications, and the fields of each.

A medication starts on a row that begins (after any list marker or Rx sign) with a dosage
form ("Tab.", "Syp", "Inj") or names a drug the lexicon knows together with a strength, a
schedule or a form word. The rows right below it that carry no label and are not another
medication continue it (the schedule line of a two-line entry, a wrapped line).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from scriptsensei.extraction.lexicon import DrugLexicon, find_drug_in_line
from scriptsensei.extraction.lexicon.stopwords import NOT_DRUGS
from scriptsensei.extraction.parser import schedule
from scriptsensei.extraction.parser.found import Found
from scriptsensei.extraction.parser.labels import label_hits
from scriptsensei.extraction.parser.layout import Row
from scriptsensei.extraction.parser.linetext import LineText
from scriptsensei.extraction.parser.medication_fields import parse_medication
from scriptsensei.extraction.parser.tokens import repair, strip_marker

_RX_PREFIX = re.compile(r"^\s*(?:rx|r/x|℞)\s*[:.]?\s*", re.IGNORECASE)
_TABLE_WORDS = frozenset(
    {
        "medicine", "medicines", "drug", "drugs", "name", "route", "frequency", "freq", "dose",
        "dosage", "duration", "days", "instructions", "instruction", "remarks", "timing",
        "when", "qty", "quantity", "strength", "sr", "no",
    }
)  # fmt: skip
_MAX_CONTINUATION_ROWS = 2


@dataclass
class MedicationEntry:
    rows: list[int]  # row indexes: the name row first
    line: LineText
    name_end: int  # end of the name row's text within line.text
    fields: dict[str, Found]


def is_table_header(row: Row) -> bool:
    words = set(re.findall(r"[a-z]+", row.text.lower()))
    return len(words & _TABLE_WORDS) >= 3


def _body(row: Row) -> str:
    text = _RX_PREFIX.sub("", repair(row.text))
    return strip_marker(text)[0]


def is_medication_start(row: Row, lexicon: DrugLexicon) -> bool:
    first = row.segments[0].text
    hits = label_hits(first)
    if hits and hits[0].start == 0:
        return False
    body = _body(row)
    form = schedule.leading_form(body)
    if form is not None:
        return _names_something(body[form[1] :])
    span = find_drug_in_line(body, lexicon)
    if span is None or span.match.score < 0.8 or span.start > 12:
        return False
    rest = body[span.end :]
    return bool(
        schedule.strength(rest, 0, len(rest))
        or schedule.frequency(rest, 0)
        or schedule.trailing_form(rest, 0)
    )


def _names_something(text: str) -> bool:
    """After a dosage form comes a name, not a schedule ("1 tab OD" is a dose line)."""
    m = re.match(r"[\s.:\-]*([A-Za-z][\w\-+]*)", text)
    if m is None:
        return False
    word = m[1]
    return (
        len(word) >= 2
        and word.lower() not in NOT_DRUGS
        and schedule.frequency(word, 0) is None
        and schedule.route(word, 0, len(word)) is None
        and not _near_schedule_word(word)
    )


# Words of a dose line that OCR may misspell ("1 tablet Oraj once daily").
_SCHEDULE_WORDS = (
    "oral", "orally", "once", "twice", "thrice", "daily", "every", "apply", "inhalation",
    "inhaled", "topical", "local", "morning", "night", "before", "after", "with", "mouth",
)  # fmt: skip


def _near_schedule_word(word: str) -> bool:
    low = word.lower()
    return len(low) >= 4 and any(Levenshtein.distance(low, w) <= 1 for w in _SCHEDULE_WORDS)


def _continues(
    rows: Sequence[Row], index: int, entry: MedicationEntry, lexicon: DrugLexicon
) -> bool:
    row, above = rows[index], rows[entry.rows[-1]]
    if row.page != above.page or row.y0 - above.y1 > above.height * 1.1:
        return False
    if label_hits(row.segments[0].text)[:1] and label_hits(row.segments[0].text)[0].start == 0:
        return False
    if is_table_header(row) or is_medication_start(row, lexicon):
        return False
    text = repair(row.text)
    indented = row.segments[0].x0 > rows[entry.rows[0]].segments[0].x0 + 0.01
    return indented or bool(schedule.frequency(text, 0) or schedule.duration(text, 0))


def find_medications(
    rows: Sequence[Row], lexicon: DrugLexicon, skip: set[int]
) -> list[MedicationEntry]:
    entries: list[MedicationEntry] = []
    index = 0
    while index < len(rows):
        if index in skip or not is_medication_start(rows[index], lexicon):
            index += 1
            continue
        entry = _start_entry(rows, index)
        index += 1
        while (
            index < len(rows)
            and len(entry.rows) <= _MAX_CONTINUATION_ROWS
            and _continues(rows, index, entry, lexicon)
        ):
            _add_row(entry, rows[index], index)
            index += 1
        entry.fields = parse_medication(entry.line, entry.name_end, lexicon)
        entries.append(entry)
    return entries


def _start_entry(rows: Sequence[Row], index: int) -> MedicationEntry:
    line = LineText()
    for segment in rows[index].segments:
        line.add(segment)
    without_rx = _RX_PREFIX.sub("", line.text)
    body_start = len(line.text) - len(strip_marker(without_rx)[0])
    # Blank out the marker so that "1." is not read as part of a name or a strength.
    line.text = " " * body_start + line.text[body_start:]
    return MedicationEntry([index], line, len(line.text), {})


def _add_row(entry: MedicationEntry, row: Row, index: int) -> None:
    for segment in row.segments:
        entry.line.add(segment)
    entry.rows.append(index)
