"""Label-value pairs: on one row ("Name: Ravi   Age: 34"), in the next box of the row
("Name:" | "Ravi"), or below the label (a header row over a value row)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from scriptsensei.extraction.parser.found import Found, found_in
from scriptsensei.extraction.parser.labels import LabelHit, label_hits
from scriptsensei.extraction.parser.layout import Row, Segment

_TRIM = " \t:;,.|-\u2013=*"
# Fields whose values are sentences that may wrap onto following lines.
PARAGRAPH_KEYS = frozenset(
    {
        "clinicalDetails.chiefComplaints", "clinicalDetails.medicalHistory",
        "clinicalDetails.examination", "clinicalDetails.diagnosis", "patientDetails.allergies",
        "advice.lifestyleAdvice", "advice.investigations", "advice.followUpInstructions",
        "clinicDetails.address",
    }
)  # fmt: skip
_BELOW_ROWS = 2


def _value_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM.replace(".", ""):
        end -= 1
    return start, end


def _segment_hits(text: str) -> list[LabelHit]:
    """Label hits, dropping a label repeated right after itself ("History: H/O ...")."""
    kept: list[LabelHit] = []
    for hit in label_hits(text):
        if kept and kept[-1].key == hit.key and not text[kept[-1].end : hit.start].strip(_TRIM):
            continue
        kept.append(hit)
    return kept


def _starts_with_label(segment: Segment) -> bool:
    hits = label_hits(segment.text)
    return bool(hits) and hits[0].start == 0


def _beside(row: Row, index: int) -> Segment | None:
    if index + 1 < len(row.segments) and not _starts_with_label(row.segments[index + 1]):
        return row.segments[index + 1]
    return None


def _below(rows: Sequence[Row], row_index: int, segment: Segment) -> tuple[int, Segment] | None:
    for index in range(row_index + 1, min(len(rows), row_index + 1 + _BELOW_ROWS)):
        if rows[index].page != segment.page:
            return None
        for candidate in rows[index].segments:
            if candidate.overlaps_x(segment.x0 - 0.01, segment.x1 + 0.2):
                return None if _starts_with_label(candidate) else (index, candidate)
    return None


def _continuation(rows: Sequence[Row], row_index: int, found: Found) -> list[Segment]:
    """Lines below a paragraph value that start where the value started."""
    lines: list[Segment] = []
    previous = rows[row_index]
    for row in rows[row_index + 1 : row_index + 6]:
        first = row.segments[0]
        aligned = found.bbox is not None and abs(first.x0 - found.bbox.x0) < 0.02
        close = row.y0 - previous.y1 < previous.height * 0.9
        if row.page != previous.page or not (aligned and close) or label_hits(first.text):
            break
        lines.append(first)
        previous = row
    return lines


def _extend(found: Found, lines: list[Segment]) -> Found:
    if not lines:
        return found
    text = " ".join([found.value, *(s.text for s in lines)])
    confidence = min(found.confidence, *(s.confidence for s in lines))
    return Found(text, confidence, found.page, found.bbox)


def labelled_values(rows: Sequence[Row], skip: set[int]) -> dict[str, Found]:
    """The first value found for each label key, in reading order."""
    values: dict[str, Found] = {}
    for row_index, row in enumerate(rows):
        if row_index in skip:
            continue
        for seg_index in range(len(row.segments)):
            for key, found, value_row in _segment_values(rows, row_index, seg_index):
                if key in PARAGRAPH_KEYS:
                    found = _extend(found, _continuation(rows, value_row, found))
                values.setdefault(key, found)
    return values


def _segment_values(
    rows: Sequence[Row], row_index: int, seg_index: int
) -> list[tuple[str, Found, int]]:
    """(key, value, index of the row the value is on) for each label of one box."""
    segment = rows[row_index].segments[seg_index]
    hits = _segment_hits(segment.text)
    results: list[tuple[str, Found, int]] = []
    for i, hit in enumerate(hits):
        end = hits[i + 1].start if i + 1 < len(hits) else len(segment.text)
        start, stop = _value_span(segment.text, hit.end, end)
        if hit.key == "vitals.others":  # "RR: 18/min" is the value, label included
            start = hit.start
        if stop > start:
            results.append((hit.key, found_in(segment, start, stop, hit.quality), row_index))
            continue
        if i + 1 < len(hits):
            continue  # an empty label followed by another label on the same box
        beside = _beside(rows[row_index], seg_index)
        value_row, other = (
            (row_index, beside) if beside else (_below(rows, row_index, segment) or (0, None))
        )
        if other is not None:
            first_label = next(iter(label_hits(other.text)), None)
            cut = first_label.start if first_label else len(other.text)
            start, stop = _value_span(other.text, 0, cut)
            if stop > start:
                results.append(
                    (hit.key, found_in(other, start, stop, hit.quality * 0.9), value_row)
                )
    return results


AGE_GENDER_RE = re.compile(
    r"^(?P<age>.*?\d.*?)\s*[/,|\[\]()lI]\s*(?P<gender>male|female|m|f|other|o|trans\w*)\.?$",
    re.IGNORECASE,
)
