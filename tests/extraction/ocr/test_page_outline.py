"""Finding the sheet of paper in a photo, and only in a photo."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from scriptsensei.extraction.ocr import page_outline
from tests.extraction.ocr.drawn import TABLE_CORNERS, draw_page, photo_on_table


def _gray(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"))


def test_the_sheet_in_a_photo_is_found_with_its_corners() -> None:
    photo = _gray(photo_on_table(draw_page()))
    h, w = photo.shape
    outline = page_outline.find_page(photo)
    assert outline is not None
    corners = page_outline.corners(outline, photo.shape)
    assert corners is not None
    expected = np.array([(x * w, y * h) for x, y in TABLE_CORNERS])
    assert corners == pytest.approx(expected, abs=0.02 * max(h, w))


def test_a_scan_has_no_outline() -> None:
    assert page_outline.find_page(_gray(draw_page())) is None


def test_a_box_printed_on_the_page_is_not_taken_for_the_sheet() -> None:
    page = _gray(draw_page()).copy()
    cv2.rectangle(page, (40, 40), (1200, 1700), 0, 4)
    assert page_outline.find_page(page) is None


def test_a_sheet_cut_off_by_the_photo_is_masked_but_has_no_corners() -> None:
    photo = np.full((800, 600), 60, dtype=np.uint8)
    sheet = np.array([(-40, 30), (560, 10), (580, 790), (-20, 780)], dtype=np.int32)
    cv2.fillPoly(photo, [sheet], 230)
    outline = page_outline.find_page(photo)
    assert outline is not None
    assert page_outline.corners(outline, photo.shape) is None
    outside = page_outline.outside_mask(photo.shape, outline, np.eye(3))
    assert outside[400, 300] == 0  # on the sheet
    assert outside[5, 580] == 255 and outside[795, 590] == 255  # the table
