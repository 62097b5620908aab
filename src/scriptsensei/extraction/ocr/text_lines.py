"""Text lines found by morphology on a binarised page: their direction, slant and place.

Smearing ink along one axis by about a character height joins the letters of a line into
one long, thin blob, and joins nothing into such a blob across the lines. Comparing the
smear along each axis tells whether text runs across or down the page (a page turned by
90/270 degrees); the slant of the long blobs gives the skew; the longest ones are where
to try reading a few words to tell upright from upside down. All of it costs a few
milliseconds, where Tesseract's orientation detection took half a second and, on blurred
low-resolution photos, was often wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

Image = NDArray[np.uint8]

MIN_LENGTH = 6.0  # line blobs are at least this many text heights long
MAX_THICKNESS = 2.5  # ...and at most this many text heights thick
MIN_THICKNESS = 0.4  # thinner blobs are ruled lines, not text
MAX_SKEW = 10.0  # degrees; steeper blobs are not lines of this page's text
INK_SHARE = (0.1, 0.7)  # share of a line's box that is ink: less is specks, more a dark band


@dataclass(frozen=True)
class LineBlob:
    """One line of text (or a long run of words) on the binarised page, horizontal axis."""

    centre: tuple[float, float]
    length: float  # px along the line
    thickness: float  # px across it
    angle: float  # degrees counter-clockwise from the horizontal (image y points down)


def compact_blob_size(binary: Image) -> float | None:
    """Median size of character-like ink blobs, whichever way the text runs."""
    ink = (binary < 128).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return None
    sides = stats[1:, [cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT]]
    longer, shorter = sides.max(axis=1), sides.min(axis=1)
    keep = (longer >= 5) & (longer <= 300) & (longer <= 3 * shorter)
    if keep.sum() < 5:
        return None
    return float(np.median(longer[keep]))


def line_blobs(binary: Image, text_height: float, vertical: bool = False) -> list[LineBlob]:
    """Lines of text running across the page (or down it, when `vertical`)."""
    image = binary.T if vertical else binary
    ink = (image < 128).astype(np.uint8)
    reach = max(3, round(text_height))
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, reach), np.uint8))
    # Every contour, not only the outermost: a photo's dark surroundings can frame the page.
    contours, _ = cv2.findContours(joined, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    blobs = []
    for contour in contours:
        if len(contour) < 3:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        box = (x, y, w, h)
        if _touches_edge(box, ink.shape):  # the table or the sky around a photographed page
            continue
        (cx, cy), (rw, rh), angle = cv2.minAreaRect(contour)
        blob = _as_line(((cx, cy), (rw, rh), angle), text_height)
        if blob is not None and _inked_like_text(ink, box, blob):
            blobs.append(blob)
    return blobs


def _touches_edge(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> bool:
    x, y, w, h = box
    return x == 0 or y == 0 or x + w >= shape[1] or y + h >= shape[0]


def _inked_like_text(ink: Image, box: tuple[int, int, int, int], blob: LineBlob) -> bool:
    x, y, w, h = box
    share = float(ink[y : y + h, x : x + w].sum()) / max(blob.length * blob.thickness, 1.0)
    return INK_SHARE[0] <= share <= INK_SHARE[1]


def _as_line(
    rect: tuple[tuple[float, float], tuple[float, float], float], text_height: float
) -> LineBlob | None:
    (cx, cy), (w, h), angle = rect
    # OpenCV's angle is that of the `w` side; make it the long side's, in (-90, 90].
    if h > w:
        w, h, angle = h, w, angle - 90
    angle = (angle + 90) % 180 - 90
    if not (
        w >= MIN_LENGTH * text_height
        and MIN_THICKNESS * text_height <= h <= MAX_THICKNESS * text_height
        and abs(angle) <= MAX_SKEW
    ):
        return None
    return LineBlob((float(cx), float(cy)), float(w), float(h), float(-angle))


def runs_vertically(binary: Image, text_height: float) -> bool:
    """True when more text (by length) runs down the page than across it."""
    across = sum(b.length for b in line_blobs(binary, text_height))
    down = sum(b.length for b in line_blobs(binary, text_height, vertical=True))
    return down > across


def skew_degrees(blobs: list[LineBlob]) -> float:
    """The page's slant (counter-clockwise degrees), the length-weighted median of its lines."""
    if not blobs:
        return 0.0
    ordered = sorted(blobs, key=lambda b: b.angle)
    lengths = np.cumsum([b.length for b in ordered])
    middle = int(np.searchsorted(lengths, lengths[-1] / 2))
    return ordered[middle].angle
