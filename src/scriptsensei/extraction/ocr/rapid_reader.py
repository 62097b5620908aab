"""Reading one page with RapidOCR; runs inside a CPU-pool worker process.

The models are the ones shipped in the rapidocr wheel, passed by explicit path: RapidOCR
downloads a model only when no path is given, so no download can ever be attempted.
Orientation: text detection on a small copy says whether lines run vertically (a page
turned by 90/270 degrees); the text-direction classifier on the widest boxes then says
whether the page is upside down.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import version
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidocr import RapidOCR

from scriptsensei.extraction.engine import PageImage
from scriptsensei.extraction.ocr import geometry
from scriptsensei.extraction.ocr.geometry import Prepared
from scriptsensei.extraction.ocr.line_grouping import TextBox, group_into_lines
from scriptsensei.extraction.ocr.lines import OcrLine
from scriptsensei.extraction.ocr.preprocess import decode_color
from scriptsensei.extraction.ocr.rapid_models import model_paths

DETECT_SIDE = 1024
ORIENTATION_SIDE = 640  # px, long side of the copy used to find the page orientation
PROBED_LINES = 3
PROBE_WIDTH_RATIO = 8  # crop width in line heights


@lru_cache(maxsize=1)
def _engine() -> RapidOCR:
    """One RapidOCR per worker process; one thread each, since the pool runs one per core."""
    params: dict[str, object] = {
        "Global.log_level": "error",
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        # Detect on at most DETECT_SIDE px (the costliest step scales with the area);
        # the recogniser still reads crops cut from the full-resolution page.
        "Det.limit_type": "max",
        "Det.limit_side_len": DETECT_SIDE,
        # One crop per batch: a batch is padded to its widest crop, which costs more time
        # than batching saves on one core.
        "Rec.rec_batch_num": 1,
    }
    params.update({f"{stage}.model_path": str(path) for stage, path in model_paths().items()})
    return RapidOCR(params=params)


def _run(image: NDArray[np.uint8], *, det: bool, cls: bool, rec: bool) -> Any:
    # Every flag is passed each time: RapidOCR remembers flags from the previous call.
    return _engine()(image, use_det=det, use_cls=cls, use_rec=rec)


def read_page(page: PageImage) -> list[OcrLine]:
    color = decode_color(page)
    base = geometry.identity(color)
    upright = geometry.rotate_quarter(base, _page_turn(base))
    # The page is upright now; the per-line 0/180 classifier would only add its mistakes.
    result = _run(upright.image, det=True, cls=False, rec=True)
    if result.boxes is None or not result.txts:
        return []
    quads = [np.asarray(quad, dtype=np.float64) for quad in result.boxes]
    skew = _skew(quads)
    boxes = [
        _text_box(quad, text, float(score), skew, upright, page)
        for quad, text, score in zip(quads, result.txts, result.scores, strict=True)
    ]
    return group_into_lines([b for b in boxes if b.text.strip()], page.index)


def _text_box(
    quad: NDArray[np.float64],
    text: str,
    score: float,
    skew: float,
    upright: Prepared,
    page: PageImage,
) -> TextBox:
    x0, y0, x1, y1 = geometry.box_to_page(quad, upright.to_prepared, page.width, page.height)
    # Rows are found on a deskewed frame: the axis-aligned box of a long, slightly slanted
    # line is tall enough to swallow the line below it.
    cos, sin = np.cos(-skew), np.sin(-skew)
    level = quad @ np.array([[cos, sin], [-sin, cos]])
    ux0, uy0 = level.min(axis=0)
    ux1, uy1 = level.max(axis=0)
    return TextBox(text, score, (x0, y0, x1, y1), (float(ux0), float(uy0), float(ux1), float(uy1)))


def _skew(quads: list[NDArray[np.float64]]) -> float:
    """Median slant (radians) of the wide boxes' top edges."""
    angles = [
        float(np.arctan2(q[1][1] - q[0][1], q[1][0] - q[0][0]))
        for q in quads
        if _sides(q)[0] > 3 * _sides(q)[1]
    ]
    return float(np.median(angles)) if angles else 0.0


def _page_turn(base: Prepared) -> int:
    """Clockwise turn (0/90/180/270) that makes the page upright."""
    h, w = base.image.shape[:2]
    factor = min(1.0, ORIENTATION_SIDE / max(h, w))
    small = geometry.rescale(base, factor)
    quads = _detect(small.image)
    turn = 0
    if _mostly_vertical(quads):
        turn = 90
        small = geometry.rotate_quarter(small, 90)
        quads = _detect(small.image)
    # The classifier needs legible text: crop from the full-size page, not the small copy.
    full = geometry.rotate_quarter(base, turn).image
    if _upside_down(full, [quad / factor for quad in quads]):
        turn += 180
    return turn % 360


def _detect(image: NDArray[np.uint8]) -> list[NDArray[np.float64]]:
    result = _run(image, det=True, cls=False, rec=False)
    boxes = getattr(result, "boxes", None)
    return [] if boxes is None else [np.asarray(q, dtype=np.float64) for q in boxes]


def _sides(quad: NDArray[np.float64]) -> tuple[float, float]:
    return float(np.linalg.norm(quad[1] - quad[0])), float(np.linalg.norm(quad[3] - quad[0]))


def _mostly_vertical(quads: list[NDArray[np.float64]]) -> bool:
    """True when most of the text (by length) runs top-to-bottom."""
    tall = wide = 0.0
    for quad in quads:
        width, height = _sides(quad)
        if height > 1.5 * width:
            tall += height
        elif width > 1.5 * height:
            wide += width
    return tall > wide


def _upside_down(image: NDArray[np.uint8], quads: list[NDArray[np.float64]]) -> bool:
    """Read a few lines both ways up; the recogniser is far surer of text the right way up.

    (RapidOCR's own 0/180 classifier was wrong on about one upright photo in eight.)
    """
    widest = sorted(quads, key=lambda q: -_sides(q)[0])[:PROBED_LINES]
    upright = flipped = 0.0
    for quad in widest:
        crop = _probe_crop(image, quad)
        if crop is not None:
            upright += _recognition_score(crop)
            flipped += _recognition_score(np.ascontiguousarray(crop[::-1, ::-1]))
    return flipped > upright


def _probe_crop(image: NDArray[np.uint8], quad: NDArray[np.float64]) -> NDArray[np.uint8] | None:
    x0, y0 = np.maximum(np.min(quad, axis=0).astype(int), 0)
    x1, y1 = np.max(quad, axis=0).astype(int)
    height = y1 - y0 + 1
    # A few words are enough to tell which way up; a whole line costs more to read.
    crop = image[y0 : y1 + 1, x0 : min(x1 + 1, x0 + PROBE_WIDTH_RATIO * height)]
    return crop if crop.size and height > 3 else None


def _recognition_score(crop: NDArray[np.uint8]) -> float:
    result = _run(crop, det=False, cls=False, rec=True)
    scores = [float(s) for s in (getattr(result, "scores", None) or [])]
    return sum(scores) / len(scores) if scores else 0.0


def library_version() -> str:
    return f"rapidocr-{version('rapidocr')}+onnxruntime-{version('onnxruntime')}+PP-OCRv6-small"
