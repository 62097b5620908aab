"""Image clean-up before OCR: decoding, lighting correction, binarisation, text size.

Phone photos of prescriptions have shadows, a light gradient and small text; Tesseract
reads under half of such a page unless the background is flattened and the text is
enlarged to the size its models were trained on.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scriptsensei.extraction.engine import PageImage

Image = NDArray[np.uint8]

TARGET_TEXT_HEIGHT = 24.0  # px per character blob: accuracy levels off above, time does not
MAX_UPSCALE = 3.0
MIN_DOWNSCALE = 0.5


def decode_gray(page: PageImage) -> Image:
    return _decode(page, cv2.IMREAD_GRAYSCALE)


def decode_color(page: PageImage) -> Image:
    return _decode(page, cv2.IMREAD_COLOR)


def _decode(page: PageImage, flags: int) -> Image:
    image = cv2.imdecode(np.frombuffer(page.data, dtype=np.uint8), flags)
    if image is None:
        raise ValueError(f"page {page.index + 1} is not a decodable {page.content_type} image")
    return image.astype(np.uint8)


def flatten_background(gray: Image) -> Image:
    """Divide by the estimated paper brightness so shadows and gradients disappear."""
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    # A closing removes the text strokes, leaving the paper; the median smooths the rest.
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7))
    paper = cv2.medianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), 5)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(paper, 1), scale=255).astype(np.uint8)


def binarize(gray: Image) -> Image:
    """Black text on white after lighting correction (Otsu on the flattened image)."""
    flat = flatten_background(gray)
    _, binary = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary.astype(np.uint8)


def median_text_height(binary: Image) -> float | None:
    """Median height of character-sized ink blobs, or None when the page has no text."""
    ink = (binary < 128).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    # Keep blobs shaped like characters: not specks, not rules or images.
    keep = (heights >= 5) & (heights <= 300) & (widths <= heights * 3) & (widths >= 2)
    if count <= 1 or keep.sum() < 5:
        return None
    return float(np.median(heights[keep]))


def text_scale_factor(binary: Image) -> float:
    """How much to enlarge (or shrink) the page so characters reach the target height."""
    height = median_text_height(binary)
    if height is None:
        return 1.0
    return float(np.clip(TARGET_TEXT_HEIGHT / height, MIN_DOWNSCALE, MAX_UPSCALE))
