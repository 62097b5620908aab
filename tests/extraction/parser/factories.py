"""OCR lines as the engines return them, built by hand for parser tests."""

from __future__ import annotations

from scriptsensei.extraction.ocr.lines import OcrLine, PageGeometry

PAGE = PageGeometry(index=0, width=1000, height=1400)
CHAR_WIDTH = 10  # px per character of the synthetic boxes
LINE_HEIGHT = 24


def create_line(
    text: str,
    x: float,
    y: float,
    *,
    confidence: float = 0.95,
    page: int = 0,
    width: float | None = None,
) -> OcrLine:
    """One OCR box whose width follows its text, top-left at (x, y) pixels."""
    w = width if width is not None else len(text) * CHAR_WIDTH
    return OcrLine(text, confidence, page, x, y, x + w, y + LINE_HEIGHT)
