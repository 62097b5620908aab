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

from scriptsensei.extraction.fields import MEDICATION_KEYS
from scriptsensei.extraction.lexicon import DrugLexicon, find_drug_in_line
from scriptsensei.extraction.lexicon.stopwords import NOT_DRUGS
from scriptsensei.extraction.parser import schedule
from scriptsensei.extraction.parser.found import Found
from scriptsensei.extraction.parser.labels import label_hits
from scriptsensei.extraction.parser.layout import Row
from scriptsensei.extraction.parser.linetext import LineText
from scriptsensei.extraction.parser.tokens import repair, strip_marker

_RX_PREFIX = re.compile(r"^\s*(?:rx|r/x|℞)\s*[:.]?\s*", re.IGNORECASE)
_TABLE_WORDS = frozenset(
    {
        "medicine", "medicines", "drug", "drugs", "name", "route", "frequency", "freq", "dose",
        "dosage", "duration", "days", "instructions", "instruction", "remarks", "timing",
        "when", "qty", "quantity", "strength", "sr", "no",
    }
)  # fmt: skip
_INSTRUCTION_TRIM = " \t-\u2013|;,.:()[]x\u00d7"
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
    )


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


def parse_medication(line: LineText, name_end: int, lexicon: DrugLexicon) -> dict[str, Found]:
    """The fields of one medication from its joined text."""
    text = line.text
    fields: dict[str, Found] = {}
    cursor = len(text) - len(text.lstrip())
    form = schedule.leading_form(text[cursor:])
    if form is not None:
        start, end = cursor + form[0], cursor + form[1]
        fields["formulation"] = line.found(start, end, form[2])
        cursor = end
    cursor = _drug_and_strength(line, cursor, name_end, lexicon, fields)
    if "formulation" not in fields:
        trailing = schedule.trailing_form(text[:name_end], cursor)
        if trailing is not None:
            fields["formulation"] = line.found(*trailing)
            cursor = max(cursor, trailing[1])
    _schedule_fields(line, cursor, fields)
    return fields


def _drug_and_strength(
    line: LineText, cursor: int, name_end: int, lexicon: DrugLexicon, fields: dict[str, Found]
) -> int:
    text = line.text
    found = schedule.strength(text, cursor, name_end)
    name_stop = found[0] if found else name_end
    span = find_drug_in_line(text[cursor:name_stop], lexicon)
    if span is not None:
        start, end = cursor + span.start, cursor + span.end
        value = _as_written(text[start:end], span.match.matched_text, span.match.score)
        fields["drugName"] = line.found(start, end, span.match.score, value)
        cursor = end
    else:
        cursor = _unknown_drug(line, cursor, name_stop, fields)
    if found is not None and found[0] >= cursor - 1:
        fields["strength"] = line.found(*found)
        cursor = found[1]
    return cursor


_NAME_RUN = re.compile(r"[A-Za-z][\w+\-/&.']*(?:\s+[A-Za-z][\w+\-/&.']*){0,3}")


def _unknown_drug(line: LineText, cursor: int, stop: int, fields: dict[str, Found]) -> int:
    """A name the lexicon does not know: the words after the form, before any number."""
    m = _NAME_RUN.search(line.text, cursor, stop)
    if m is None:
        return cursor
    words = m[0].split()
    while words and schedule.frequency(words[-1], 0):
        words.pop()
    if not words:
        return cursor
    value = " ".join(words)
    fields["drugName"] = line.found(m.start(), m.start() + len(value), 0.45, value)
    return m.start() + len(value)


def _as_written(text: str, variant: str, score: float) -> str:
    """The name as printed; an OCR-mangled name is given in the lexicon's spelling."""
    if score >= 1.0:
        return text.strip()
    return variant.title() if text[:1].isupper() else variant


def _schedule_fields(line: LineText, cursor: int, fields: dict[str, Found]) -> None:
    text = line.text
    freq = schedule.frequency(text, cursor)
    if freq is not None:
        fields["frequency"] = line.found(*freq)
    route = schedule.route(text, cursor, freq[0] if freq else len(text))
    if route is not None:
        fields["route"] = line.found(*route)
    after = freq[1] if freq else max(cursor, route[1] if route else cursor)
    duration = schedule.duration(text, after)
    if duration is not None and _only_glue(text[after : duration[0]]):
        fields["duration"] = line.found(*duration)
        after = duration[1]
    _instructions(line, after, fields)


def _only_glue(text: str) -> bool:
    """Between a schedule and its duration only separators and "x"/"for" may appear."""
    return not re.sub(r"\bx\b|\bfor\b|\u00d7|[\s\-\u2013|;,:()]", "", text, flags=re.IGNORECASE)


def _instructions(line: LineText, after: int, fields: dict[str, Found]) -> None:
    if "frequency" not in fields and "duration" not in fields:
        return
    text = line.text
    start, end = after, len(text)
    while start < end and (
        text[start] in _INSTRUCTION_TRIM or text[start : start + 4].lower() == "for "
    ):
        start += 1
    while end > start and text[end - 1] in _INSTRUCTION_TRIM:
        end -= 1
    value = " ".join(text[start:end].split())
    # at least a word, not stray letters of a filler cell ("s d s")
    if len(re.findall(r"[A-Za-z]", value)) >= 3 and re.search(r"[A-Za-z]{2}", value):
        fields["specialInstructions"] = line.found(start, end, 0.7, value)


def medication_keys() -> tuple[str, ...]:
    return MEDICATION_KEYS
