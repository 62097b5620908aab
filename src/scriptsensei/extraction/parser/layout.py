"""Page geometry: OCR boxes as fractions of their page, grouped into rows by y-overlap.

Tesseract returns whole lines; RapidOCR returns boxes that may hold one word or a whole
line. Both become `Segment`s; segments whose vertical extents overlap enough form a `Row`,
read left to right. A wide horizontal gap inside a row separates columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from scriptsensei.extraction.engine import BoundingBox
from scriptsensei.extraction.ocr.lines import OcrLine, PageGeometry
from scriptsensei.extraction.parser.orientation import detect_turn, to_page, to_reading
from scriptsensei.extraction.parser.skew import deskew

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
    turn: int = 0  # coordinates are in the reading frame of a page turned this much
    shear: float = 0.0  # y was moved by -shear * (x_center - 0.5) to undo a skew

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


def to_segment(line: OcrLine, page: PageGeometry, turn: int = 0) -> Segment:
    width, height = max(page.width, 1), max(page.height, 1)
    box = (line.x0 / width, line.y0 / height, line.x1 / width, line.y1 / height)
    x0, y0, x1, y1 = (_clamp(v) for v in to_reading(box, turn))
    return Segment(
        text=" ".join(line.text.split()),
        confidence=max(0.0, min(1.0, line.confidence)),
        page=line.page,
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y1,
        turn=turn,
    )


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def build_rows(lines: Sequence[OcrLine], pages: Sequence[PageGeometry]) -> list[Row]:
    """Rows in reading order: page by page, top to bottom, each row left to right (in the
    reading frame of pages whose text is turned)."""
    geometry = {p.index: p for p in pages}
    rows: list[Row] = []
    for page in sorted({line.page for line in lines}):
        on_page = [line for line in lines if line.page == page and line.text.strip()]
        size = geometry.get(page, PageGeometry(page, 1, 1))
        turn = _page_turn(on_page, size)
        segments = deskew([to_segment(line, size, turn) for line in on_page])
        rows.extend(_rows_of_page(segments))
    return rows


def _page_turn(lines: Sequence[OcrLine], page: PageGeometry) -> int:
    width, height = max(page.width, 1), max(page.height, 1)
    boxes = [(ln.x0 / width, ln.y0 / height, ln.x1 / width, ln.y1 / height) for ln in lines]
    return detect_turn(boxes, [ln.text for ln in lines])


def _rows_of_page(segments: list[Segment]) -> list[Row]:
    rows: list[Row] = []
    for segment in sorted(segments, key=lambda s: (s.center_y, s.x0)):
        row = next((r for r in reversed(rows[-3:]) if _fits(r, segment)), None)
        if row is None:
            rows.append(Row([segment]))
        else:
            row.segments.append(segment)
    for row in rows:
        row.segments = _join_touching(sorted(row.segments, key=lambda s: s.x0))
    rows.sort(key=lambda r: (r.y0 + r.y1) / 2)
    return rows


# Boxes closer than this share of their height are one piece of text that the OCR split
# (a photographed line bends, and a word can be cut: "Ear p" + "ain").
TOUCHING_GAP = 0.5
WORD_CUT_GAP = 0.12


def _join_touching(segments: list[Segment]) -> list[Segment]:
    joined: list[Segment] = []
    for segment in segments:
        last = joined[-1] if joined else None
        height = min(segment.height, last.height) if last else 0.0
        if last is None or segment.x0 - last.x1 >= height * TOUCHING_GAP:
            joined.append(segment)
            continue
        glue = "" if segment.x0 - last.x1 < height * WORD_CUT_GAP else " "
        joined[-1] = replace(
            last,
            text=last.text + glue + segment.text,
            confidence=min(last.confidence, segment.confidence),
            x1=max(last.x1, segment.x1),
            y0=min(last.y0, segment.y0),
            y1=max(last.y1, segment.y1),
        )
    return joined


def _fits(row: Row, segment: Segment) -> bool:
    # A segment joins a row only if it overlaps every segment's height well and does not
    # sit on top of one of them horizontally (that would be a second line of a column).
    return all(
        segment.overlap_y(s) >= ROW_OVERLAP and not segment.overlaps_x(s.x0, s.x1)
        for s in row.segments
    )


def page_box(
    turn: int, x0: float, y0: float, x1: float, y1: float, shear: float = 0.0
) -> BoundingBox:
    """A reading-frame box as fractions of the page as given."""
    shift = shear * ((x0 + x1) / 2 - 0.5)
    px0, py0, px1, py1 = to_page((x0, y0 + shift, x1, y1 + shift), turn)
    return BoundingBox(x0=round(px0, 4), y0=round(py0, 4), x1=round(px1, 4), y1=round(py1, 4))


def union_box(segments: Iterable[Segment]) -> BoundingBox | None:
    items = list(segments)
    if not items:
        return None
    return page_box(
        items[0].turn,
        min(s.x0 for s in items),
        min(s.y0 for s in items),
        max(s.x1 for s in items),
        max(s.y1 for s in items),
        items[0].shear,
    )


def union_boxes(boxes: Iterable[BoundingBox]) -> BoundingBox | None:
    items = list(boxes)
    if not items:
        return None
    return BoundingBox(
        x0=min(b.x0 for b in items),
        y0=min(b.y0 for b in items),
        x1=max(b.x1 for b in items),
        y1=max(b.y1 for b in items),
    )


def part_box(segment: Segment, start: int, end: int) -> BoundingBox:
    """The box of characters start..end of a segment, estimated by character share."""
    length = max(len(segment.text), 1)
    width = segment.x1 - segment.x0
    return page_box(
        segment.turn,
        segment.x0 + width * start / length,
        segment.y0,
        segment.x0 + width * min(end, length) / length,
        segment.y1,
        segment.shear,
    )
