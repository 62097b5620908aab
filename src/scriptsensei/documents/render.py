"""Turning a spooled file into page images, with every limit checked before the costly step:
page count and page size are read from the header (PDF page table, image header) before
anything is rendered or decompressed. Decoding itself is `extraction.pages.decode_pages`.

Everything here is blocking CPU work: call `render_file` through `asyncio.to_thread`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, UnidentifiedImageError

from scriptsensei.documents.errors import CorruptFile, FileRejected, TooManyPages, TooManyPixels
from scriptsensei.documents.pdf_content import check_pdf_content
from scriptsensei.documents.types import FileType
from scriptsensei.extraction.engine import PageImage
from scriptsensei.extraction.pages import PDF_RENDER_DPI, PageDecodeError, decode_pages

_PDF_SCALE = PDF_RENDER_DPI / 72  # PDF sizes are in points (1/72 inch)


@dataclass(frozen=True)
class PageLimits:
    max_pages: int
    max_pixels: int


def _too_many_pages(count: int, limits: PageLimits) -> TooManyPages:
    return TooManyPages(
        f"This document has {count} pages; the limit is {limits.max_pages} pages per document."
    )


def _too_many_pixels(width: int, height: int, limits: PageLimits) -> TooManyPixels:
    return TooManyPixels(
        f"A page of this file is too large ({width}x{height} pixels); the limit is "
        f"{limits.max_pixels:,} pixels per page."
    )


def check_pdf(path: Path, limits: PageLimits) -> int:
    """The page count of a PDF, refusing too many pages, pages too large to render, or
    content that inflates like a bomb."""
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise CorruptFile(f"This PDF cannot be read ({exc}).") from exc
    try:
        count = len(document)
        if count > limits.max_pages:
            raise _too_many_pages(count, limits)
        for index in range(count):
            width, height = document.get_page_size(index)
            w, h = round(width * _PDF_SCALE), round(height * _PDF_SCALE)
            if w * h > limits.max_pixels:
                raise _too_many_pixels(w, h, limits)
    finally:
        document.close()
    check_pdf_content(path.read_bytes(), limits.max_pixels)
    return count


def check_image(path: Path, limits: PageLimits) -> int:
    """The frame count of an image, from its header only (nothing is decompressed yet)."""
    try:
        with warnings.catch_warnings():
            # Our own limit decides; Pillow's bomb warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                return _check_frames(image, limits)
    except Image.DecompressionBombError as exc:
        raise TooManyPixels(f"This image declares too many pixels ({exc}).") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptFile(f"This image cannot be read ({exc}).") from exc


def _check_frames(image: Image.Image, limits: PageLimits) -> int:
    count = int(getattr(image, "n_frames", 1))
    if count > limits.max_pages:
        raise _too_many_pages(count, limits)
    for index in range(count):
        image.seek(index)
        width, height = image.size
        if width * height > limits.max_pixels:
            raise _too_many_pixels(width, height, limits)
    return count


def render_file(path: Path, file_type: FileType, limits: PageLimits) -> list[PageImage]:
    """Every page of the file as a PNG page image, fully decoded (a truncated or corrupt
    file is refused here, not later by an engine)."""
    (check_pdf if file_type.is_pdf else check_image)(path, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return decode_pages(
                path.read_bytes(), max_pages=limits.max_pages, max_pixels=limits.max_pixels
            )
    except FileRejected:
        raise
    except PageDecodeError as exc:
        raise CorruptFile(f"This file cannot be read: {exc}.") from exc
    except Image.DecompressionBombError as exc:
        raise TooManyPixels(f"This image declares too many pixels ({exc}).") from exc
    except (OSError, SyntaxError, ValueError, EOFError, pdfium.PdfiumError) as exc:
        raise CorruptFile(f"This file is damaged or truncated and cannot be read ({exc}).") from exc
