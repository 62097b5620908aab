"""Coordinate bookkeeping between a page as uploaded and the image an OCR engine read.

Engines rotate, deskew and rescale a page before reading it; each step is an affine map
composed into one 3x3 matrix, so a box read on the prepared image can be mapped back to
the page as uploaded (what a reviewer sees).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

Matrix = NDArray[np.float64]
Image = NDArray[np.uint8]


@dataclass(frozen=True)
class Prepared:
    """An image ready for OCR and the map from uploaded-page pixels to its pixels."""

    image: Image
    to_prepared: Matrix  # 3x3, uploaded page -> prepared image


def identity(image: Image) -> Prepared:
    return Prepared(image, np.eye(3))


def rotate_quarter(prepared: Prepared, degrees: int) -> Prepared:
    """Rotate clockwise by 0, 90, 180 or 270 degrees."""
    turns = (degrees // 90) % 4
    if turns == 0:
        return prepared
    h, w = prepared.image.shape[:2]
    codes = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}
    maps = {
        1: [[0, -1, h - 1], [1, 0, 0], [0, 0, 1]],
        2: [[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]],
        3: [[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]],
    }
    step = np.array(maps[turns], dtype=np.float64)
    image = np.asarray(cv2.rotate(prepared.image, codes[turns]), dtype=np.uint8)
    return Prepared(image, step @ prepared.to_prepared)


def rotate_small(prepared: Prepared, degrees: float, border: int = 255) -> Prepared:
    """Rotate counter-clockwise by a small angle, growing the canvas so nothing is cut."""
    if abs(degrees) < 0.1:
        return prepared
    h, w = prepared.image.shape[:2]
    step = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(step[0, 0]), abs(step[0, 1])
    new_w, new_h = int(h * sin + w * cos), int(h * cos + w * sin)
    step[0, 2] += new_w / 2 - w / 2
    step[1, 2] += new_h / 2 - h / 2
    image = np.asarray(
        cv2.warpAffine(
            prepared.image, step, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=border
        ),
        dtype=np.uint8,
    )
    return Prepared(image, np.vstack([step, [0, 0, 1]]) @ prepared.to_prepared)


def rescale(prepared: Prepared, factor: float) -> Prepared:
    if abs(factor - 1.0) < 0.02:
        return prepared
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    image = np.asarray(
        cv2.resize(prepared.image, None, fx=factor, fy=factor, interpolation=interpolation),
        dtype=np.uint8,
    )
    step = np.diag([factor, factor, 1.0])
    return Prepared(image, step @ prepared.to_prepared)


def with_image(prepared: Prepared, image: Image) -> Prepared:
    """Same geometry, new pixels (binarisation, contrast changes)."""
    return Prepared(image, prepared.to_prepared)


def box_to_page(
    points: NDArray[np.float64], to_prepared: Matrix, width: int, height: int
) -> tuple[float, float, float, float]:
    """Axis-aligned box, in uploaded-page pixels, around points read on the prepared image."""
    mapped = map_points(points, np.asarray(np.linalg.inv(to_prepared), dtype=np.float64))
    x0, y0 = mapped.min(axis=0)
    x1, y1 = mapped.max(axis=0)
    return (
        float(np.clip(x0, 0, width)),
        float(np.clip(y0, 0, height)),
        float(np.clip(x1, 0, width)),
        float(np.clip(y1, 0, height)),
    )


def map_points(points: NDArray[np.float64], matrix: Matrix) -> NDArray[np.float64]:
    """Points (n, 2) through a 3x3 affine or perspective map."""
    homogeneous = np.hstack([points, np.ones((len(points), 1))]) @ matrix.T
    return np.asarray(homogeneous[:, :2] / homogeneous[:, 2:], dtype=np.float64)


def unwarp(prepared: Prepared, corners: NDArray[np.float64]) -> Prepared:
    """The quadrilateral `corners` (top-left, top-right, bottom-right, bottom-left) of the
    image straightened into a rectangle: a page photographed at an angle, seen square on."""
    top, right = corners[1] - corners[0], corners[2] - corners[1]
    bottom, left = corners[2] - corners[3], corners[3] - corners[0]
    width = round((np.linalg.norm(top) + np.linalg.norm(bottom)) / 2)
    height = round((np.linalg.norm(left) + np.linalg.norm(right)) / 2)
    target = rect_points(0, 0, width - 1, height - 1)
    step = cv2.getPerspectiveTransform(corners.astype(np.float32), target.astype(np.float32))
    image = np.asarray(
        cv2.warpPerspective(
            prepared.image, step, (width, height), flags=cv2.INTER_LINEAR, borderValue=255
        ),
        dtype=np.uint8,
    )
    return Prepared(image, np.asarray(step, dtype=np.float64) @ prepared.to_prepared)


def rect_points(x0: float, y0: float, x1: float, y1: float) -> NDArray[np.float64]:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
