"""Boxes read on a turned, deskewed, rescaled image map back onto the uploaded page."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from scriptsensei.extraction.ocr import geometry


def _page_with_mark(width: int = 200, height: int = 100) -> np.ndarray:
    image = np.full((height, width), 255, dtype=np.uint8)
    image[10:20, 30:50] = 0  # a dark block at x 30..50, y 10..20
    return image


def _mark_box(image: np.ndarray) -> tuple[float, float, float, float]:
    ys, xs = np.nonzero(image < 128)
    return float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
@pytest.mark.parametrize("factor", [1.0, 2.0, 0.5])
def test_quarter_turns_and_rescaling_map_back(turn: int, factor: float) -> None:
    prepared = geometry.rescale(
        geometry.rotate_quarter(geometry.identity(_page_with_mark()), turn), factor
    )
    box = _mark_box(prepared.image)
    back = geometry.box_to_page(geometry.rect_points(*box), prepared.to_prepared, 200, 100)
    assert back == pytest.approx((30, 10, 50, 20), abs=2.5)


def test_quarter_turn_changes_the_image_shape() -> None:
    assert geometry.rotate_quarter(geometry.identity(_page_with_mark()), 90).image.shape == (
        200,
        100,
    )


def test_small_rotation_grows_the_canvas_and_maps_back() -> None:
    prepared = geometry.rotate_small(geometry.identity(_page_with_mark()), 5.0)
    assert prepared.image.shape[0] > 100 and prepared.image.shape[1] > 200
    back = geometry.box_to_page(
        geometry.rect_points(*_mark_box(prepared.image)), prepared.to_prepared, 200, 100
    )
    # An axis-aligned box around a turned block is a little larger than the block.
    assert back == pytest.approx((30, 10, 50, 20), abs=3)


def test_mapped_boxes_are_clipped_to_the_page() -> None:
    back = geometry.box_to_page(geometry.rect_points(-10, -5, 250, 130), np.eye(3), 200, 100)
    assert back == (0.0, 0.0, 200.0, 100.0)


def test_negligible_changes_keep_the_same_image() -> None:
    base = geometry.identity(_page_with_mark())
    assert geometry.rotate_small(base, 0.01) is base
    assert geometry.rescale(base, 1.01) is base
    assert geometry.rotate_quarter(base, 360) is base


def test_a_page_seen_at_an_angle_is_straightened_and_boxes_map_back() -> None:
    page = _page_with_mark()
    corners = np.array([(10, 5), (190, 15), (195, 95), (0, 90)], dtype=np.float64)
    to_photo = cv2.getPerspectiveTransform(
        geometry.rect_points(0, 0, 199, 99).astype(np.float32), corners.astype(np.float32)
    )
    photo = cv2.warpPerspective(page, to_photo, (200, 100), borderValue=255)
    prepared = geometry.unwarp(geometry.identity(photo), corners)
    assert prepared.image.shape == pytest.approx((83, 188), abs=2)
    back = geometry.box_to_page(
        geometry.rect_points(*_mark_box(prepared.image)), prepared.to_prepared, 200, 100
    )
    mark = geometry.map_points(geometry.rect_points(30, 10, 50, 20), to_photo)
    expected = (*mark.min(axis=0), *mark.max(axis=0))
    assert back == pytest.approx(expected, abs=3)
