"""Lighting correction, binarisation and text-size estimation."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from scriptsensei.extraction.ocr import preprocess
from tests.extraction.ocr.drawn import as_page, draw_page


def test_shadow_gradient_is_flattened_and_text_kept() -> None:
    page = np.asarray(draw_page().convert("L"), dtype=np.float64)
    shaded = (page * np.linspace(0.4, 1.0, page.shape[1])[None, :]).astype(np.uint8)
    binary = preprocess.binarize(shaded)
    ink = binary < 128
    # The dark side of the page is paper, not ink; the text is still there.
    assert ink[:, :80].mean() < 0.01
    assert 0.005 < ink.mean() < 0.1


def test_text_height_matches_the_drawn_font() -> None:
    binary = preprocess.binarize(np.asarray(draw_page().convert("L")))
    height = preprocess.median_text_height(binary)
    assert height is not None and 15 <= height <= 30


def test_small_text_is_enlarged_and_large_text_left_alone() -> None:
    page = draw_page().convert("L")
    small = np.asarray(page.resize((page.width // 3, page.height // 3)))
    assert preprocess.text_scale_factor(preprocess.binarize(small)) > 2
    assert preprocess.text_scale_factor(preprocess.binarize(np.asarray(page))) == pytest.approx(
        1.3, abs=0.4
    )


def test_blank_page_has_no_text_height() -> None:
    blank = np.full((400, 300), 255, dtype=np.uint8)
    assert preprocess.median_text_height(blank) is None
    assert preprocess.text_scale_factor(blank) == 1.0


def test_undecodable_page_is_a_value_error() -> None:
    page = as_page(Image.new("RGB", (10, 10)))
    broken = type(page)(0, b"garbage", "image/png", 10, 10)
    with pytest.raises(ValueError, match="page 1 is not a decodable image/png image"):
        preprocess.decode_gray(broken)


def test_blur_is_measured_on_the_ink_edges() -> None:
    flat = np.asarray(draw_page().convert("L"))
    sharp = preprocess.edge_blur(flat)
    blurred = preprocess.edge_blur(cv2.GaussianBlur(flat, (0, 0), 2.0))
    assert sharp < 1.0
    assert blurred == pytest.approx(2.0, abs=0.6)
    assert preprocess.edge_blur(np.full((100, 100), 255, dtype=np.uint8)) == 0.0


def test_sharpening_steepens_blurred_strokes() -> None:
    blurred = cv2.GaussianBlur(np.asarray(draw_page().convert("L")), (0, 0), 2.0)
    sharpened = preprocess.sharpen_text(blurred, 22, preprocess.edge_blur(blurred))

    def steepest(image: np.ndarray) -> float:
        return float(np.abs(np.diff(image.astype(np.float32), axis=1)).max())

    assert steepest(sharpened) > 1.15 * steepest(blurred)
