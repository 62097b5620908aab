"""Synthetic prescriptions with known truth: compose, lay out, render, degrade."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from PIL import Image

from scriptsensei.extraction.fields import scalar_paths, unflatten
from scriptsensei.samples import content, degrade
from scriptsensei.samples.layouts import LAYOUTS, Layout
from scriptsensei.samples.page import Color, Page, PageOverflowError
from scriptsensei.samples.style import Style, choose_style

# White, cream and faintly grey pads.
PAPERS: tuple[Color, ...] = ((255, 255, 255), (255, 255, 255), (252, 249, 238), (246, 246, 242))
Profile = Literal["clean", "photo", "rotated", "mixed"]
PROFILES: tuple[str, ...] = ("clean", "photo", "rotated", "mixed")
ImageFormat = Literal["png", "jpg", "pdf"]


@dataclass(frozen=True)
class SampleOptions:
    profile: Profile = "mixed"
    degraded_share: float = 0.5  # used by the mixed profile only
    pdf_share: float = 0.1
    handwriting_share: float = 0.3


@dataclass
class Sample:
    name: str
    image: Image.Image
    truth: dict[str, Any]  # the extractedData shape, exactly as printed
    meta: dict[str, Any]
    image_format: ImageFormat
    texts: list[str] = field(default_factory=list)


def sample_name(index: int) -> str:
    return f"rx-{index:05d}"


def sample_rng(seed: int, index: int) -> random.Random:
    """Each sample has its own stream, so sample i is the same whatever the count."""
    return random.Random(f"scriptsensei-samples:{seed}:{index}")


def generate_sample(
    rng: random.Random, index: int, options: SampleOptions = SampleOptions()
) -> Sample:
    layout = LAYOUTS[rng.choice(sorted(LAYOUTS))]
    rx = content.compose(rng, layout.convention)
    style = _layout_style(rng, layout, options)
    page, style = _render(layout, rx, style, rng)
    truth = unflatten(
        {**dict.fromkeys(scalar_paths()), **{p: m.value for p, m in page.fields.items()}}
    )
    degraded = _wants_degradation(rng, options)
    image, applied = degrade.apply(page.image, rng, options.profile, degraded)
    image_format: ImageFormat = "jpg" if degrade.is_jpeg(applied) else "png"
    if rng.random() < options.pdf_share:
        image_format = "pdf"
    meta = _meta(index, layout, style, page, applied, options, image_format)
    meta.update(_image_geometry(page, image, applied))
    return Sample(
        sample_name(index), image, truth, meta, image_format, [t.text for t in page.texts]
    )


def _layout_style(rng: random.Random, layout: Layout, options: SampleOptions) -> Style:
    share = 1.0 if layout.handwritten else options.handwriting_share
    style = choose_style(rng, layout.text_size, share)
    if layout.medication_formats:
        style = replace(style, medication_format=rng.choice(layout.medication_formats))
    return style


def _render(
    layout: Layout, rx: content.Prescription, style: Style, rng: random.Random
) -> tuple[Page, Style]:
    """Render, shrinking the text until everything fits on the page."""
    paper = rng.choice(PAPERS)
    state = rng.getstate()
    for _ in range(6):
        rng.setstate(state)
        page = Page(*layout.size, layout.margin, paper)
        try:
            layout.render(page, rx, style, rng)
        except PageOverflowError:
            style = style.scaled(0.88)
            continue
        return page, style
    raise RuntimeError(f"layout {layout.name} cannot fit the prescription on one page")


def _wants_degradation(rng: random.Random, options: SampleOptions) -> bool:
    if options.profile == "mixed":
        return rng.random() < options.degraded_share
    return options.profile in ("photo", "rotated")


def _meta(
    index: int,
    layout: Layout,
    style: Style,
    page: Page,
    applied: list[degrade.Applied],
    options: SampleOptions,
    image_format: ImageFormat,
) -> dict[str, Any]:
    w, h = page.width, page.height
    return {
        "name": sample_name(index),
        "index": index,
        "profile": options.profile,
        "layout": layout.name,
        "convention": layout.convention,
        "page_size": [w, h],
        "fonts": {"header": style.header.name, "body": style.body.name},
        "handwriting": style.body.handwriting,
        "text_size": style.size,
        "medication_format": style.medication_format,
        "degraded": bool(applied),
        "degradations": [a.as_dict() for a in applied],
        "rotation": degrade.total_rotation(applied),
        "format": image_format,
        # Fractions of the clean page; `image_field_boxes` are those of the written image.
        "field_boxes": {
            path: [[b[0] / w, b[1] / h, b[2] / w, b[3] / h] for b in mark.boxes]
            for path, mark in page.fields.items()
        },
        "texts": [t.text for t in page.texts],
    }


def _image_geometry(
    page: Page, image: Image.Image, applied: list[degrade.Applied]
) -> dict[str, Any]:
    """Where each field ended up in the written image, as fractions of its size."""
    matrix = degrade.page_to_image(applied)
    w, h = image.size
    boxes: dict[str, list[list[float]]] = {}
    for path, mark in page.fields.items():
        mapped = [degrade.map_box(matrix, b) for b in mark.boxes]
        boxes[path] = [
            [_clip(x0 / w), _clip(y0 / h), _clip(x1 / w), _clip(y1 / h)]
            for x0, y0, x1, y1 in mapped
        ]
    return {"image_size": [w, h], "image_field_boxes": boxes}


def _clip(fraction: float) -> float:
    return round(min(1.0, max(0.0, fraction)), 5)
