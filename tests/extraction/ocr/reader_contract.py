"""The behaviour both OCR readers must show on the drawn prescription (shared test bodies)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from scriptsensei.extraction.engine import PageImage
from scriptsensei.extraction.ocr.lines import OcrLine
from tests.extraction.ocr.drawn import (
    as_page,
    draw_page,
    photo_of,
    photo_on_table,
    rotated,
    table_warp,
)
from tests.extraction.ocr.reading import line_centre, share_read

Reader = Callable[[PageImage], list[OcrLine]]
UPRIGHT = draw_page()
W, H = UPRIGHT.size
PROBES = ("Patient Name: Ravi Kumar", "3. Syp. Ambroxol 10 ml")


def check_clean_page(lines: list[OcrLine]) -> None:
    assert share_read(lines) >= 0.95
    confidences = [line.confidence for line in lines]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert len(set(confidences)) > 1, "confidences must be measured, never a constant"
    for line in lines:
        assert line.page == 0
        assert 0 <= line.x0 < line.x1 <= W and 0 <= line.y0 < line.y1 <= H


def check_reading_order(lines: list[OcrLine]) -> None:
    tops = [line_centre(lines, text)[1] for text in ("City Care Clinic", "Diagnosis", "Follow up")]
    assert tops == sorted(tops)


def expected_centre(x: float, y: float, clockwise: int) -> tuple[float, float]:
    """Where a point of the upright page lands once the page is turned clockwise."""
    if clockwise == 90:
        return H - y, x
    if clockwise == 180:
        return W - x, H - y
    if clockwise == 270:
        return y, W - x
    return x, y


def check_rotated_page(read: Reader, upright_lines: list[OcrLine], clockwise: int) -> None:
    lines = read(as_page(rotated(UPRIGHT, clockwise)))
    assert share_read(lines) >= 0.9, [line.text for line in lines]
    for probe in PROBES:
        x, y = line_centre(upright_lines, probe)
        want = expected_centre(x, y, clockwise)
        got = line_centre(lines, probe)
        # Boxes are given on the page as uploaded: the same text, turned with the page.
        assert got == pytest.approx(want, abs=25)


def check_photo(read: Reader, minimum: float) -> None:
    lines = read(as_page(photo_of(UPRIGHT)))
    assert share_read(lines) >= minimum, [line.text for line in lines]


def check_blank_page(read: Reader) -> None:
    from PIL import Image

    assert read(as_page(Image.new("RGB", (600, 800), "white"))) == []


def check_photo_on_table(read: Reader, upright_lines: list[OcrLine], clockwise: int) -> None:
    """A turned page shot at an angle on a table: read, and boxes placed on the photo."""
    lines = read(as_page(photo_on_table(UPRIGHT, clockwise)))
    assert share_read(lines) >= 0.85, [line.text for line in lines]
    turned_w, turned_h = (H, W) if clockwise in (90, 270) else (W, H)
    warp = table_warp(turned_w, turned_h)
    for probe in PROBES:
        x, y = expected_centre(*line_centre(upright_lines, probe), clockwise)
        point = warp @ np.array([x, y, 1.0])
        got = line_centre(lines, probe)
        assert got == pytest.approx(tuple(point[:2] / point[2]), abs=20)
