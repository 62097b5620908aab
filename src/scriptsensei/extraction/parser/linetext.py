"""The text of one or more rows joined, remembering which segment each character came from,
so that a span found in the joined text maps back to a page box."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from scriptsensei.extraction.parser.found import Found, combine
from scriptsensei.extraction.parser.layout import Segment, part_box, union_boxes
from scriptsensei.extraction.parser.tokens import repair

_JOIN = "  "


@dataclass
class LineText:
    text: str = ""
    pieces: list[tuple[int, int, Segment]] = field(default_factory=list)

    def add(self, segment: Segment, text: str | None = None) -> None:
        if self.text:
            self.text += _JOIN
        start = len(self.text)
        self.text += repair(segment.text) if text is None else text
        self.pieces.append((start, len(self.text), segment))

    def segments_in(self, start: int, end: int) -> list[Segment]:
        return [seg for s, e, seg in self.pieces if s < end and e > start]

    def found(self, start: int, end: int, quality: float, value: str | None = None) -> Found:
        """A Found for characters start..end; boxes estimated within each segment."""
        boxes = []
        for s, e, segment in self.pieces:
            if s < end and e > start:
                scale = len(segment.text) / max(e - s, 1)
                lo, hi = max(start, s) - s, min(end, e) - s
                boxes.append(part_box(segment, round(lo * scale), round(hi * scale)))
        segments = self.segments_in(start, end) or [self.pieces[0][2]]
        ocr = min(s.confidence for s in segments)
        text = self.text[start:end] if value is None else value
        box = union_boxes(boxes)
        return Found(text.strip(), combine(ocr, quality), segments[0].page, box)


def line_text(segments: Sequence[Segment]) -> LineText:
    line = LineText()
    for segment in segments:
        line.add(segment)
    return line
