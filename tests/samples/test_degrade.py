"""Degradations change the image as recorded."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image, ImageDraw

from scriptsensei.samples import degrade


@pytest.fixture
def page() -> Image.Image:
    image = Image.new("RGB", (400, 600), "white")
    ImageDraw.Draw(image).rectangle([50, 50, 150, 100], fill="black")
    return image


def test_quarter_turn_swaps_sides_and_is_recorded(page: Image.Image) -> None:
    turned, applied = degrade.quarter_turn(page, 90)
    assert turned.size == (600, 400)
    assert degrade.total_rotation(applied) == 90
    # Counter-clockwise: the black box near the top left ends near the bottom left.
    assert turned.getpixel((75, 300)) == (0, 0, 0)


def test_perspective_coefficients_map_output_corners_back(page: Image.Image) -> None:
    out = [(10.0, 12.0), (390.0, 5.0), (380.0, 590.0), (3.0, 580.0)]
    src = [(0.0, 0.0), (400.0, 0.0), (400.0, 600.0), (0.0, 600.0)]
    a, b, c, d, e, f, g, h = degrade._perspective_coefficients(out, src)
    for (x, y), (u, v) in zip(out, src, strict=True):
        w = g * x + h * y + 1
        assert (a * x + b * y + c) / w == pytest.approx(u, abs=1e-6)
        assert (d * x + e * y + f) / w == pytest.approx(v, abs=1e-6)


def test_photograph_always_ends_in_jpeg_and_changes_pixels(page: Image.Image) -> None:
    photo, applied = degrade.photograph(page, random.Random(4))
    assert applied[-1].name == "jpeg" and degrade.is_jpeg(applied)
    assert degrade.jpeg_quality(applied) is not None
    if photo.size == page.size:
        assert not np.array_equal(np.asarray(photo), np.asarray(page))


def test_low_resolution_scales_by_the_factor(page: Image.Image) -> None:
    small, applied = degrade.low_resolution(page, 0.6)
    assert small.size == (240, 360) and applied.params == {"scale": 0.6}


def test_uneven_light_only_darkens(page: Image.Image) -> None:
    lit, applied = degrade.uneven_light(page, random.Random(1))
    pixels = np.asarray(lit, dtype=np.int16)
    assert pixels.max() <= 255 and pixels.min() >= 0
    assert pixels[300:, :, 0].mean() < 255 or pixels[:300, :, 0].mean() < 255
    assert applied.name == "uneven_light"


def test_undegraded_sample_is_untouched(page: Image.Image) -> None:
    same, applied = degrade.apply(page, random.Random(1), "photo", degraded=False)
    assert same is page and applied == []


def dark_box(image: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box of the clearly dark pixels (the black rectangle after degradation)."""
    grey = np.asarray(image.convert("L"))
    ys, xs = np.nonzero(grey < 60)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def assert_box_lands(image: Image.Image, applied: list[degrade.Applied], tolerance: float) -> None:
    mapped = degrade.map_box(degrade.page_to_image(applied), (50, 50, 150, 100))
    for got, want in zip(dark_box(image), mapped, strict=True):
        assert got == pytest.approx(want, abs=tolerance)


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_box_follows_a_quarter_turn(page: Image.Image, degrees: int) -> None:
    turned, applied = degrade.quarter_turn(page, degrees)
    assert_box_lands(turned, applied, 2)


@pytest.mark.parametrize("degrees", [-3.5, 2.0])
def test_box_follows_a_skew(page: Image.Image, degrees: float) -> None:
    skewed, applied = degrade.skew(page, degrees, (128, 128, 128))
    assert_box_lands(skewed, [applied], 3)


def test_box_follows_perspective_and_scaling(page: Image.Image) -> None:
    small, scaled = degrade.low_resolution(page, 0.6)
    warped, warp = degrade.perspective(small, random.Random(7), (128, 128, 128))
    assert_box_lands(warped, [scaled, warp], 3)


def test_pixel_steps_do_not_move_boxes(page: Image.Image) -> None:
    blurred, applied = degrade.blur(page, 1.0)
    assert blurred.size == page.size
    assert applied.geometry is None
    assert (degrade.page_to_image([applied]) == np.eye(3)).all()
