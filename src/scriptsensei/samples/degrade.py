"""Degradations that turn a clean page into what a phone camera or a careless scanner gives:
perspective, skew, quarter turns, uneven light and shadows, blur, low resolution, noise and
JPEG artefacts. Every step applied is recorded with its parameters."""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

_TURNS = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}
_BACKGROUNDS = ((118, 96, 74), (60, 60, 64), (170, 160, 150), (205, 200, 190), (90, 70, 55))


# A 3x3 homography, row-major, taking a pixel of a step's input to its output.
Geometry = tuple[float, ...]


@dataclass(frozen=True)
class Applied:
    name: str
    params: dict[str, float | int | str] = field(default_factory=dict)
    geometry: Geometry | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, float | int | str]:
        return {"name": self.name, **self.params}


def apply(
    image: Image.Image, rng: random.Random, profile: str, degraded: bool
) -> tuple[Image.Image, list[Applied]]:
    if not degraded:
        return image, []
    if profile == "rotated":
        return quarter_turn(image, rng.choice((90, 180, 270)))
    return photograph(image, rng)


def photograph(image: Image.Image, rng: random.Random) -> tuple[Image.Image, list[Applied]]:
    """A phone photo of the page lying on a table."""
    noise_rng = np.random.default_rng(rng.getrandbits(63))
    background = rng.choice(_BACKGROUNDS)
    steps: list[Applied] = []
    # Scaling down first keeps the later steps cheap; the result is the same kind of photo.
    if rng.random() < 0.5:
        image = _step(steps, *low_resolution(image, 0.6))
    if rng.random() < 0.6:
        image = _step(steps, *perspective(image, rng, background))
    else:
        image = _step(steps, *skew(image, rng.choice((-1, 1)) * rng.uniform(0.7, 4.0), background))
    if rng.random() < 0.25:
        image = _step(steps, *_single(quarter_turn(image, rng.choice((90, 180, 270)))))
    if rng.random() < 0.8:
        image = _step(steps, *uneven_light(image, rng))
    if rng.random() < 0.4:
        image = _step(steps, *shadow(image, rng))
    if rng.random() < 0.6:
        image = _step(steps, *blur(image, rng.uniform(0.6, 1.6)))
    if rng.random() < 0.6:
        image = _step(steps, *noise(image, noise_rng, rng.uniform(3.0, 9.0)))
    return _step(steps, *jpeg(image, rng.randint(35, 80))), steps


def _step(steps: list[Applied], image: Image.Image, applied: Applied) -> Image.Image:
    steps.append(applied)
    return image


def _single(result: tuple[Image.Image, list[Applied]]) -> tuple[Image.Image, Applied]:
    return result[0], result[1][0]


def quarter_turn(image: Image.Image, degrees: int) -> tuple[Image.Image, list[Applied]]:
    """Counter-clockwise by 90, 180 or 270 degrees."""
    w, h = image.size
    geometry = {
        90: (0.0, 1.0, 0.0, -1.0, 0.0, w, 0.0, 0.0, 1.0),
        180: (-1.0, 0.0, w, 0.0, -1.0, h, 0.0, 0.0, 1.0),
        270: (0.0, -1.0, h, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0),
    }[degrees]
    return image.transpose(_TURNS[degrees]), [Applied("rotate", {"degrees": degrees}, geometry)]


def skew(
    image: Image.Image, degrees: float, background: tuple[int, int, int]
) -> tuple[Image.Image, Applied]:
    rotated = image.rotate(degrees, Image.Resampling.BILINEAR, expand=True, fillcolor=background)
    # Counter-clockwise on screen (y points down) about the centre, re-centred on the new canvas.
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    cx, cy = image.width / 2, image.height / 2
    nx, ny = rotated.width / 2, rotated.height / 2
    geometry = (
        cos,
        sin,
        nx - cos * cx - sin * cy,
        -sin,
        cos,
        ny + sin * cx - cos * cy,
        0.0,
        0.0,
        1.0,
    )
    return rotated, Applied("skew", {"degrees": round(degrees, 2)}, geometry)


def perspective(
    image: Image.Image, rng: random.Random, background: tuple[int, int, int]
) -> tuple[Image.Image, Applied]:
    """Where the page's corners land in the photo, jittered inward by up to 7%."""
    w, h = image.size
    jitter = rng.uniform(0.02, 0.07)
    corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
    landed = [
        (
            x + (1 if x == 0 else -1) * rng.uniform(0, jitter) * w,
            y + (1 if y == 0 else -1) * rng.uniform(0, jitter) * h,
        )
        for x, y in corners
    ]
    coeffs = _perspective_coefficients(landed, corners)
    warped = image.transform(
        (w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR, fillcolor=background
    )
    backward = np.array([*coeffs, 1.0]).reshape(3, 3)
    geometry = tuple(float(v) for v in np.linalg.inv(backward).ravel())
    return warped, Applied("perspective", {"strength": round(jitter, 3)}, geometry)


def _perspective_coefficients(
    out_points: list[tuple[float, float]], in_points: list[tuple[float, float]]
) -> tuple[float, ...]:
    """Coefficients PIL wants: they map output pixels back to input pixels."""
    rows = []
    for (x, y), (u, v) in zip(out_points, in_points, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    target = np.array([c for point in in_points for c in point], dtype=np.float64)
    return tuple(float(c) for c in np.linalg.solve(np.array(rows, dtype=np.float64), target))


def uneven_light(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Applied]:
    """Light falling off across the page: a tilted plane of brightness times a vignette."""
    w, h = image.size[0] // 8, image.size[1] // 8
    darkest = rng.uniform(0.55, 0.85)
    xs = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :]
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    ax, ay = rng.uniform(-1, 1), rng.uniform(-1, 1)
    plane = ax * (xs - 0.5) + ay * (ys - 0.5)
    plane = (plane - plane.min()) / max(float(np.ptp(plane)), 1e-6)
    vignette = 1.0 - 0.25 * ((xs - 0.5) ** 2 + (ys - 0.5) ** 2)
    gain = (darkest + (1.0 - darkest) * plane) * vignette
    return _multiply(image, gain), Applied("uneven_light", {"darkest": round(darkest, 3)})


def shadow(image: Image.Image, rng: random.Random) -> tuple[Image.Image, Applied]:
    """The soft shadow of a hand or phone over part of the page."""
    w, h = image.size
    mask = Image.new("L", (w // 4, h // 4), 0)
    cx, cy = rng.uniform(0, w // 4), rng.uniform(0, h // 4)
    size = rng.uniform(0.25, 0.6) * w // 4
    points = [(cx + size * rng.uniform(-1, 1), cy + size * rng.uniform(-1, 1)) for _ in range(6)]
    ImageDraw.Draw(mask).polygon(points, fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(w / 60))
    depth = rng.uniform(0.25, 0.5)
    gain = 1.0 - depth * (np.asarray(mask, dtype=np.float32) / 255.0)
    return _multiply(image, gain), Applied("shadow", {"depth": round(depth, 3)})


def _multiply(image: Image.Image, gain: np.ndarray) -> Image.Image:
    """Scale brightness by a smooth gain map (0..1) given at any resolution."""
    plane = Image.fromarray(np.clip(gain * 255.0, 0, 255).astype(np.uint8), "L")
    plane = plane.resize(image.size, Image.Resampling.BILINEAR)
    return ImageChops.multiply(image, Image.merge("RGB", (plane, plane, plane)))


def low_resolution(image: Image.Image, factor: float) -> tuple[Image.Image, Applied]:
    size = (round(image.width * factor), round(image.height * factor))
    sx, sy = size[0] / image.width, size[1] / image.height
    geometry = (sx, 0.0, 0.0, 0.0, sy, 0.0, 0.0, 0.0, 1.0)
    return image.resize(size, Image.Resampling.BILINEAR), Applied(
        "low_resolution", {"scale": factor}, geometry
    )


def blur(image: Image.Image, radius: float) -> tuple[Image.Image, Applied]:
    return image.filter(ImageFilter.GaussianBlur(radius)), Applied(
        "blur", {"radius": round(radius, 2)}
    )


def noise(
    image: Image.Image, rng: np.random.Generator, sigma: float
) -> tuple[Image.Image, Applied]:
    # Sensor noise is mostly in brightness, so one plane serves all three channels.
    pixels = np.asarray(image, dtype=np.int16)
    grain = (rng.standard_normal(pixels.shape[:2], dtype=np.float32) * sigma).astype(np.int16)
    pixels = pixels + grain[:, :, None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)), Applied(
        "noise", {"sigma": round(sigma, 2)}
    )


def jpeg(image: Image.Image, quality: int) -> tuple[Image.Image, Applied]:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB"), Applied("jpeg", {"quality": quality})


def is_jpeg(applied: list[Applied]) -> bool:
    return any(a.name == "jpeg" for a in applied)


def jpeg_quality(applied: list[Applied]) -> int | None:
    return next((int(a.params["quality"]) for a in applied if a.name == "jpeg"), None)


def total_rotation(applied: list[Applied]) -> int:
    """The quarter turns applied, counter-clockwise degrees (0 when upright)."""
    return sum(int(a.params["degrees"]) for a in applied if a.name == "rotate") % 360


def page_to_image(applied: list[Applied]) -> np.ndarray:
    """The homography taking a point of the clean page to the degraded image."""
    matrix = np.eye(3)
    for step in applied:
        if step.geometry is not None:
            matrix = np.array(step.geometry).reshape(3, 3) @ matrix
    return matrix


def map_box(
    matrix: np.ndarray, box: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """The axis-aligned box around where a page box's corners land."""
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x1, y1, 1.0], [x0, y1, 1.0]]).T
    landed = matrix @ corners
    xs, ys = landed[0] / landed[2], landed[1] / landed[2]
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())
