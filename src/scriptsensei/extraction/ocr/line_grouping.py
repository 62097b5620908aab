"""Grouping text boxes into lines in reading order.

A detector (RapidOCR) may cut one printed line into several boxes ("Name:" | "Ravi"),
and the prescription parser reads label-value pairs along a line; boxes on the same row
are joined unless a wide gap says they belong to different columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from scriptsensei.extraction.ocr.lines import OcrLine

Box = tuple[float, float, float, float]
SAME_ROW_OVERLAP = 0.5  # share of the smaller box's height two boxes must share vertically
COLUMN_GAP = 4.0  # a horizontal gap wider than this many line heights separates columns


@dataclass(frozen=True)
class TextBox:
    text: str
    confidence: float
    page_box: Box  # pixels of the page as uploaded
    upright_box: Box  # pixels of the upright image, where reading order makes sense


def group_into_lines(boxes: list[TextBox], page: int) -> list[OcrLine]:
    return [line for row in _rows(boxes) for line in lines_of_row(row, page)]


def lines_of_row(row: list[TextBox], page: int) -> list[OcrLine]:
    """One row of boxes (left to right) as lines, split where a wide gap parts columns."""
    return [_merge(segment, page) for segment in _segments(row)]


def _rows(boxes: list[TextBox]) -> list[list[TextBox]]:
    rows: list[list[TextBox]] = []
    for box in sorted(boxes, key=lambda b: (b.upright_box[1] + b.upright_box[3]) / 2):
        row = next((r for r in reversed(rows[-3:]) if _same_row(r[-1], box)), None)
        if row is None:
            rows.append([box])
        else:
            row.append(box)
    return [sorted(row, key=lambda b: b.upright_box[0]) for row in rows]


def _same_row(a: TextBox, b: TextBox) -> bool:
    top = max(a.upright_box[1], b.upright_box[1])
    bottom = min(a.upright_box[3], b.upright_box[3])
    smaller = min(_height(a), _height(b))
    return smaller > 0 and (bottom - top) >= SAME_ROW_OVERLAP * smaller


def _segments(row: list[TextBox]) -> list[list[TextBox]]:
    segments = [[row[0]]]
    for box in row[1:]:
        previous = segments[-1][-1]
        gap = box.upright_box[0] - previous.upright_box[2]
        if gap > COLUMN_GAP * max(_height(previous), _height(box)):
            segments.append([box])
        else:
            segments[-1].append(box)
    return segments


def _merge(segment: list[TextBox], page: int) -> OcrLine:
    text = " ".join(b.text.strip() for b in segment)
    weights = [max(len(b.text.strip()), 1) for b in segment]
    confidence = sum(b.confidence * w for b, w in zip(segment, weights, strict=True))
    confidence /= sum(weights)
    return OcrLine(
        text,
        round(min(max(confidence, 0.0), 1.0), 4),
        page,
        min(b.page_box[0] for b in segment),
        min(b.page_box[1] for b in segment),
        max(b.page_box[2] for b in segment),
        max(b.page_box[3] for b in segment),
    )


def _height(box: TextBox) -> float:
    return box.upright_box[3] - box.upright_box[1]
