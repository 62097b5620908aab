"""A value the parser found: text as written, where, and how sure it is."""

from __future__ import annotations

from dataclasses import dataclass

from scriptsensei.extraction.engine import BoundingBox, FieldValue
from scriptsensei.extraction.parser.layout import Segment, part_box, union_box


@dataclass(frozen=True)
class Found:
    value: str
    confidence: float
    page: int
    bbox: BoundingBox | None

    def field(self, path: str) -> FieldValue:
        return FieldValue(path, self.value, self.confidence, self.page, self.bbox)


def combine(ocr_confidence: float, match_quality: float) -> float:
    """An engine's confidence in a value: what the OCR was sure of, discounted by how well
    the text matched what the parser looked for (label, lexicon entry, pattern)."""
    ocr = max(0.0, min(1.0, ocr_confidence))
    quality = max(0.0, min(1.0, match_quality))
    return round(ocr * (0.35 + 0.65 * quality), 3)


def found_in(
    segment: Segment, start: int, end: int, quality: float, value: str | None = None
) -> Found:
    """The characters start..end of one segment (or `value` when cleaned up)."""
    text = value if value is not None else segment.text[start:end]
    return Found(
        value=text.strip(),
        confidence=combine(segment.confidence, quality),
        page=segment.page,
        bbox=part_box(segment, start, end),
    )


def found_across(segments: list[Segment], value: str, quality: float) -> Found:
    """A value read from several segments (wrapped lines, table cells)."""
    ocr = sum(s.confidence for s in segments) / len(segments)
    return Found(value.strip(), combine(ocr, quality), segments[0].page, union_box(segments))
