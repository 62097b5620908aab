"""The fields of one medication, read from the joined text of its rows.

Order matters: the dosage form and name come first, then the strength (only on the name
row: a dose such as "5 ml" on the schedule row is not a strength), then the schedule, the
route written before it, the duration after it, and whatever follows as instructions.
"""

from __future__ import annotations

import re

from scriptsensei.extraction.lexicon import DrugLexicon, find_drug_in_line
from scriptsensei.extraction.parser import schedule
from scriptsensei.extraction.parser.found import Found
from scriptsensei.extraction.parser.linetext import LineText

_INSTRUCTION_TRIM = " \t-\u2013|;,.:()[]x\u00d7"


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
