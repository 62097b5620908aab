"""Checks shared by the reader tests: did the OCR read the drawn text, and where."""

from __future__ import annotations

from rapidfuzz import fuzz

from scriptsensei.extraction.ocr.lines import OcrLine
from tests.extraction.ocr.drawn import LINES


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def best_match(expected: str, lines: list[OcrLine]) -> tuple[float, OcrLine | None]:
    scored = [(fuzz.partial_ratio(_squash(expected), _squash(line.text)), line) for line in lines]
    return max(scored, key=lambda pair: pair[0], default=(0.0, None))


def share_read(
    lines: list[OcrLine], expected: tuple[str, ...] = LINES, cutoff: float = 90
) -> float:
    """Share of the expected lines found (fuzzy >= cutoff) in the OCR output."""
    found = sum(1 for text in expected if best_match(text, lines)[0] >= cutoff)
    return found / len(expected)


def line_centre(lines: list[OcrLine], expected: str) -> tuple[float, float]:
    score, line = best_match(expected, lines)
    assert line is not None and score >= 85, f"'{expected}' not read: {[x.text for x in lines]}"
    return (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
