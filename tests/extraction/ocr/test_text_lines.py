"""Text lines found by morphology: which way they run, their slant, what is not a line."""

from __future__ import annotations

import numpy as np
import pytest

from scriptsensei.extraction.ocr import geometry, text_lines
from scriptsensei.extraction.ocr.preprocess import binarize, median_text_height
from tests.extraction.ocr.drawn import draw_page

BINARY = binarize(np.asarray(draw_page().convert("L")))
HEIGHT = median_text_height(BINARY) or 0.0


def _turned(degrees_ccw: float) -> np.ndarray:
    turned = geometry.rotate_small(geometry.identity(BINARY), degrees_ccw).image
    return np.where(turned > 127, 255, 0).astype(np.uint8)


def test_every_drawn_line_is_found() -> None:
    blobs = text_lines.line_blobs(BINARY, HEIGHT)
    # 13 lines, some of them split where a wide gap parts two columns.
    assert 13 <= len(blobs) <= 30
    assert all(blob.thickness < 2.5 * HEIGHT for blob in blobs)


@pytest.mark.parametrize("degrees", [-4.0, -1.5, 0.0, 2.0, 6.0])
def test_the_slant_of_the_lines_is_measured(degrees: float) -> None:
    page = _turned(degrees)
    skew = text_lines.skew_degrees(text_lines.line_blobs(page, HEIGHT))
    assert skew == pytest.approx(degrees, abs=0.4)


def test_text_running_down_the_page_is_told_from_text_across() -> None:
    size = text_lines.compact_blob_size(BINARY)
    assert size is not None
    assert not text_lines.runs_vertically(BINARY, size)
    for turn in (90, 270):
        turned = geometry.rotate_quarter(geometry.identity(BINARY), turn).image
        assert text_lines.runs_vertically(turned, size)


def test_dark_bands_and_strips_along_the_border_are_not_lines() -> None:
    page = BINARY.copy()
    page[:40, :] = 0  # the dark table along the top of a photo
    page[1500:1540, 100:1100] = 0  # a solid bar across the page
    blobs = text_lines.line_blobs(page, HEIGHT)
    assert blobs
    assert all(not 1480 < blob.centre[1] < 1560 for blob in blobs)
    assert all(blob.centre[1] > 60 for blob in blobs)


def test_a_blank_page_has_no_lines() -> None:
    blank = np.full((400, 300), 255, dtype=np.uint8)
    assert text_lines.line_blobs(blank, 20) == []
    assert text_lines.skew_degrees([]) == 0.0
    assert text_lines.compact_blob_size(blank) is None
