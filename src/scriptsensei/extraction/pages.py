"""Decoding uploaded files into page images (PNG, JPEG, WebP, TIFF, HEIC, PDF).

Every page is re-encoded as PNG (lossless) so engines receive one of two content types
whatever the upload was, and a page crosses process boundaries as compact bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pillow_heif
import pypdfium2 as pdfium
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from scriptsensei.documents.types import ACCEPTED_TYPES_SENTENCE, HEAD_BYTES, sniff
from scriptsensei.extraction.engine import PageImage

pillow_heif.register_heif_opener()

# Names of sample files (`eval` pairs NAME.png with NAME.json); files are judged by content.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".heic", ".heif"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = IMAGE_SUFFIXES | PDF_SUFFIXES
PDF_RENDER_DPI = 200  # enough for 10 pt text to be read; more only costs time
_PDF_MAGIC = b"%PDF-"


class PageDecodeError(ValueError):
    """The file cannot be turned into page images; the message says why, for a person."""


def load_file(path: Path, *, max_pages: int = 40, max_pixels: int = 60_000_000) -> list[PageImage]:
    """Pages of the file at `path`; raises PageDecodeError for missing or unreadable files.

    What the file is comes from its first bytes, as for uploads: never from its name."""
    if not path.is_file():
        raise PageDecodeError(f"file not found: {path}")
    data = path.read_bytes()
    if data and sniff(data[:HEAD_BYTES]) is None:
        raise PageDecodeError(
            f"{path.name} is not a supported image or PDF (judged by its content, not its "
            f"name). {ACCEPTED_TYPES_SENTENCE}"
        )
    return decode_pages(data, max_pages=max_pages, max_pixels=max_pixels)


def decode_pages(
    data: bytes, *, max_pages: int = 40, max_pixels: int = 60_000_000
) -> list[PageImage]:
    """Pages of a PDF or image given as bytes (the type is sniffed from the content)."""
    if not data:
        raise PageDecodeError("the file is empty")
    images = _pdf_images(data) if data.startswith(_PDF_MAGIC) else _raster_images(data)
    pages: list[PageImage] = []
    for index, image in enumerate(images):
        if index >= max_pages:
            raise PageDecodeError(f"the document has more than {max_pages} pages")
        _check_size(image, max_pixels)
        pages.append(encode_page(index, image))
    if not pages:
        raise PageDecodeError("the document has no pages")
    return pages


def encode_page(index: int, image: Image.Image) -> PageImage:
    rgb = image.convert("L") if image.mode in ("1", "L", "I;16", "I") else image.convert("RGB")
    buffer = io.BytesIO()
    rgb.save(buffer, format="PNG", compress_level=1)  # speed over size: pages are transient
    return PageImage(index, buffer.getvalue(), "image/png", rgb.width, rgb.height)


def _check_size(image: Image.Image, max_pixels: int) -> None:
    if image.width * image.height > max_pixels:
        raise PageDecodeError(
            f"page is too large ({image.width}x{image.height} pixels, limit {max_pixels})"
        )


def _raster_images(data: bytes) -> Iterator[Image.Image]:
    try:
        opened = Image.open(io.BytesIO(data))
        opened.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise PageDecodeError(f"not a readable image or PDF ({exc})") from exc
    for frame in ImageSequence.Iterator(opened):  # TIFF pages; one frame for other types
        # Phone photos store their rotation in EXIF; apply it so pages are upright as shown.
        yield ImageOps.exif_transpose(frame.copy())


def _pdf_images(data: bytes) -> Iterator[Image.Image]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise PageDecodeError(f"not a readable PDF ({exc})") from exc
    try:
        for page in document:
            yield page.render(scale=PDF_RENDER_DPI / 72).to_pil()
            page.close()
    finally:
        document.close()
