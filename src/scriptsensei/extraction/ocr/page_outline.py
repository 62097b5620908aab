"""Finding the sheet of paper in a phone photo, so that what lies around it is not read.

The table, cloth or floor around a photographed page turns, once the lighting is
flattened, into a noisy texture that Tesseract reads as rows of junk characters and glues
onto the lines of text nearest to it. The sheet's outline is the largest region enclosed
by strong edges (the image border counts as an edge, since a photo often cuts the page
off), provided it is brighter than what surrounds it: a box printed on the page is
enclosed by edges too, but has paper on both sides.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scriptsensei.extraction.ocr import geometry

Image = NDArray[np.uint8]
Polygon = NDArray[np.float64]  # (n, 2) x, y

WORK_SIDE = 600  # px, long side of the copy the outline is searched on
AREA_SHARE = (0.3, 0.97)  # of the image: smaller is no page, larger is the whole image
BAND = 7  # px on the working copy: the strips inside and outside the outline compared
DARKER_AROUND = 0.9  # the surroundings must be at most this bright relative to the paper
CORNER_TOLERANCE = 0.02  # of the perimeter: how far an outline may stray from four sides
EDGE_MARGIN = 0.005  # of the image's long side: corners closer to its border are cut off


def find_page(gray: Image) -> Polygon | None:
    """The outline of the sheet in `gray` pixels, or None when the page fills the image."""
    h, w = gray.shape
    factor = min(1.0, WORK_SIDE / max(h, w))
    size = (round(w * factor), round(h * factor))
    small = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    for outline in _enclosed_regions(small):
        if _darker_around(small, outline):
            return np.asarray(outline / factor, dtype=np.float64)
    return None


def _enclosed_regions(small: Image) -> list[Polygon]:
    """Convex outlines of regions enclosed by edges, largest first, of a plausible size."""
    edges = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), 20, 60)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    edges[[0, -1], :] = 255
    edges[:, [0, -1]] = 255
    contours, hierarchy = cv2.findContours(edges, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    area = small.shape[0] * small.shape[1]
    low, high = AREA_SHARE[0] * area, AREA_SHARE[1] * area
    holes = [c for c, link in zip(contours, hierarchy[0], strict=True) if link[3] >= 0]
    outlines = []
    for hole in sorted(holes, key=cv2.contourArea, reverse=True):
        hull = cv2.convexHull(hole)
        if low <= cv2.contourArea(hull) <= high:
            outlines.append(hull.reshape(-1, 2).astype(np.float64))
    return outlines


def _darker_around(small: Image, outline: Polygon) -> bool:
    """Is the strip just outside the outline darker than the strip just inside?

    Both strips start a few pixels away from the outline, so that the edge itself (a
    printed rule, the blurred border of the sheet) is in neither.
    """
    inside = np.zeros_like(small)
    cv2.fillPoly(inside, [np.round(outline).astype(np.int32)], 255)
    near, far = np.ones((BAND, BAND), np.uint8), np.ones((2 * BAND, 2 * BAND), np.uint8)
    inner = cv2.subtract(cv2.erode(inside, near), cv2.erode(inside, far))
    outer = cv2.subtract(cv2.dilate(inside, far), cv2.dilate(inside, near))
    if not inner.any() or not outer.any():
        return False
    return bool(np.median(small[outer > 0]) < DARKER_AROUND * np.median(small[inner > 0]))


def corners(outline: Polygon, shape: tuple[int, ...]) -> Polygon | None:
    """The sheet's four corners (top-left, top-right, bottom-right, bottom-left) when the
    outline is a quadrilateral whose corners all lie inside the image, else None."""
    points = outline.astype(np.float32).reshape(-1, 1, 2)
    quad = cv2.approxPolyDP(points, CORNER_TOLERANCE * cv2.arcLength(points, True), True)
    if len(quad) != 4:
        return None
    quad = quad.reshape(4, 2).astype(np.float64)
    h, w = shape[:2]
    margin = EDGE_MARGIN * max(h, w)
    inside = (quad[:, 0] > margin) & (quad[:, 0] < w - 1 - margin)
    inside &= (quad[:, 1] > margin) & (quad[:, 1] < h - 1 - margin)
    if not inside.all():  # the photo cuts the sheet off: those are not its corners
        return None
    sums, diffs = quad.sum(axis=1), quad[:, 0] - quad[:, 1]
    ordered = quad[[np.argmin(sums), np.argmax(diffs), np.argmax(sums), np.argmin(diffs)]]
    if len({tuple(p) for p in ordered}) < 4:
        return None
    return np.asarray(ordered, dtype=np.float64)


def outside_mask(shape: tuple[int, ...], outline: Polygon, matrix: NDArray[np.float64]) -> Image:
    """255 where an image of `shape` lies outside `outline` once mapped by `matrix` (3x3)."""
    points = geometry.map_points(outline, matrix)
    inside = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(inside, [np.round(points).astype(np.int32)], 255)
    return np.asarray(cv2.bitwise_not(inside), dtype=np.uint8)
