"""Page geometry: OCR boxes as fractions of their page, grouped into rows by y-overlap.

Tesseract returns whole lines; RapidOCR returns boxes that may hold one word or a whole
line. Both become `Segment`s; segments whose vertical extents overlap enough form a `Row`,
read left to right. A wide horizontal gap inside a row separates columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scriptsensei.extraction.engine import BoundingBox
from scriptsensei.extraction.ocr.lines import OcrLine, PageGeometry

# Two boxes share a row when they overlap by this share of the shorter box's height.
ROW_OVERLAP = 0.5


@dataclass(frozen=True)
class Segment:
    text: str
    confidence: float
    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def center_y(self) -> float:
        return (self.y0 + self.y1) / 2

    def overlap_y(self, other: Segment) -> float:
        shared = min(self.y1, other.y1) - max(self.y0, other.y0)
        return shared / max(min(self.height, other.height), 1e-6)

    def overlaps_x(self, x0: float, x1: float) -> bool:
        return min(self.x1, x1) - max(self.x0, x0) > 0


@dataclass
class Row:
    segments: list[Segment]

    @property
    def page(self) -> int:
        return self.segments[0].page

    @property
    def y0(self) -> float:
        return min(s.y0 for s in self.segments)

    @property
    def y1(self) -> float:
        return max(s.y1 for s in self.segments)

    @property
    def text(self) -> str:
        return "  ".join(s.text for s in self.segments)

    @property
    def height(self) -> float:
        return max(s.height for s in self.segments)


def to_segment(line: OcrLine, page: PageGeometry) -> Segment:
    width, height = max(page.width, 1), max(page.height, 1)
    return Segment(
        text=" ".join(line.text.split()),
        confidence=max(0.0, min(1.0, line.confidence)),
        page=line.page,
        x0=_clamp(line.x0 / width),
        y0=_clamp(line.y0 / height),
        x1=_clamp(line.x1 / width),
        y1=_clamp(line.y1 / height),
    )


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def build_rows(lines: Sequence[OcrLine], pages: Sequence[PageGeometry]) -> list[Row]:
    """Rows in reading order: page by page, top to bottom, each row left to right."""
    geometry = {p.index: p for p in pages}
    segments = [
        to_segment(line, geometry.get(line.page, PageGeometry(line.page, 1, 1)))
        for line in lines
        if line.text.strip()
    ]
    rows: list[Row] = []
    for page in sorted({s.page for s in segments}):
        rows.extend(_rows_of_page([s for s in segments if s.page == page]))
    return rows


def _rows_of_page(segments: list[Segment]) -> list[Row]:
    rows: list[Row] = []
    for segment in sorted(segments, key=lambda s: (s.center_y, s.x0)):
        row = next((r for r in reversed(rows[-3:]) if _fits(r, segment)), None)
        if row is None:
            rows.append(Row([segment]))
        else:
            row.segments.append(segment)
    for row in rows:
        row.segments.sort(key=lambda s: s.x0)
    rows.sort(key=lambda r: (r.y0 + r.y1) / 2)
    return rows


def _fits(row: Row, segment: Segment) -> bool:
    # A segment joins a row only if it overlaps every segment's height well and does not
    # sit on top of one of them horizontally (that would be a second line of a column).
    return all(
        segment.overlap_y(s) >= ROW_OVERLAP and not segment.overlaps_x(s.x0, s.x1)
        for s in row.segments
    )


def union_box(segments: Iterable[Segment]) -> BoundingBox | None:
    items = list(segments)
    if not items:
        return None
    return BoundingBox(
        x0=round(min(s.x0 for s in items), 4),
        y0=round(min(s.y0 for s in items), 4),
        x1=round(max(s.x1 for s in items), 4),
        y1=round(max(s.y1 for s in items), 4),
    )


def part_box(segment: Segment, start: int, end: int) -> BoundingBox:
    """The box of characters start..end of a segment, estimated by character share."""
    length = max(len(segment.text), 1)
    width = segment.x1 - segment.x0
    return BoundingBox(
        x0=round(segment.x0 + width * start / length, 4),
        y0=round(segment.y0, 4),
        x1=round(segment.x0 + width * min(end, length) / length, 4),
        y1=round(segment.y1, 4),
    )
