"""What an OCR engine hands to the prescription parser."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OcrLine:
    """One line (or text box) as read by an OCR engine.

    Coordinates are pixels of the page image the engine read (after any rotation the
    engine applied, mapped back to the original page), top-left origin.
    """

    text: str
    confidence: float  # 0..1 as reported by the OCR engine
    page: int  # 0-based
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class PageGeometry:
    index: int
    width: int
    height: int
