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
SHARPEN_AMOUNT = 1.0  # unsharp masking: how much of the detail lost to blur is added back
SHARPEN_SIGMA = 0.05  # ...and the radius of that detail, in text heights
SHARPEN_BLUR_SHARE = 0.7  # ...or this share of the blur measured on the page, if larger
_EDGE_SMOOTHING = 1.0  # px, smoothing before edge blur is measured


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
    return threshold(flatten_background(gray))


def threshold(flat: Image) -> Image:
    _, binary = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary.astype(np.uint8)


def sharpen(gray: Image, sigma: float, amount: float = SHARPEN_AMOUNT) -> Image:
    """Unsharp masking: the difference from a blurred copy is added back, edges steepen."""
    pixels = gray.astype(np.float32)
    blurred = cv2.GaussianBlur(pixels, (0, 0), sigma)
    return np.clip(pixels + amount * (pixels - blurred), 0, 255).astype(np.uint8)


def sharpen_text(gray: Image, text_height: float, blur: float = 0.0) -> Image:
    """Sharpened at a radius that suits text `text_height` px high blurred by `blur` px."""
    return sharpen(gray, max(SHARPEN_SIGMA * text_height, SHARPEN_BLUR_SHARE * blur))


def edge_blur(flat: Image) -> float:
    """Rough Gaussian blur radius (px) of the page's sharpest ink edges.

    A step edge of contrast C blurred by a Gaussian of radius s rises at most by
    C / (s * sqrt(2 pi)) per px; C and that steepest rise are read off the page (a light
    smoothing first, taken off again at the end, keeps a photo's noise out of the rise).
    """
    smooth = cv2.GaussianBlur(flat.astype(np.float32), (0, 0), _EDGE_SMOOTHING)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3) / 8
    # Percentiles of every other pixel: a quarter of the cost, the same figures.
    steepest = float(np.percentile(np.hypot(gx[::2, ::2], gy[::2, ::2]), 99.5))
    contrast = 255.0 - float(np.percentile(smooth[::2, ::2], 0.2))
    if steepest <= 0 or contrast <= 0:
        return 0.0
    total = contrast / (steepest * np.sqrt(2 * np.pi))
    return float(np.sqrt(max(total**2 - _EDGE_SMOOTHING**2, 0.0)))


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
    return 1.0 if height is None else scale_for_text_height(height)


def scale_for_text_height(height: float) -> float:
    return float(np.clip(TARGET_TEXT_HEIGHT / height, MIN_DOWNSCALE, MAX_UPSCALE))
