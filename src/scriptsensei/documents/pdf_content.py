"""Bounding what a PDF's compressed streams inflate to, before PDFium renders anything.

A PDF's page count and page sizes are cheap to check, but its drawing operators hide in
Flate-compressed streams: a few kilobytes on the wire can inflate to tens of megabytes of
operators that cost PDFium a minute of CPU to render (into a blank page). So the raw file is
scanned for streams and each Flate stream is inflated here with a hard bound on its output
(nothing larger than the bound is ever held in memory). Image streams are not inflated:
their declared size is checked against the pixel limit instead, which is what bounds their
decoding.

Streams encoded with filters other than Flate (ASCII85, LZW, RunLength) in front of it are
not inflated here; PDFs that prescriptions come as (scanners, EMR printouts) use Flate and DCT.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from scriptsensei.documents.errors import CorruptFile, TooManyPixels

# Real pages: a few kilobytes to a few hundred of operators, fonts up to a few megabytes,
# compressing 2-10 fold. A bomb compresses hundreds to thousands of times.
MAX_INFLATION_RATIO = 100
RATIO_APPLIES_FROM = 1 << 20  # small streams may compress as well as they like
MAX_INFLATED_TOTAL = 16 << 20  # every non-image stream of the document together

_STREAM = re.compile(rb"stream\r?\n")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_NAME = re.compile(rb"/([A-Za-z0-9]+)")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_WIDTH = re.compile(rb"/Width\s+(\d+)")
_HEIGHT = re.compile(rb"/Height\s+(\d+)")
_IMAGE = re.compile(rb"/Subtype\s*/Image")
_FLATE_NAMES = {b"FlateDecode", b"Fl"}


@dataclass(frozen=True)
class _Stream:
    header: bytes  # the stream's dictionary, as written
    data: memoryview  # its encoded bytes


class ContentBomb(CorruptFile):
    error = "content_bomb"


def check_pdf_content(data: bytes, max_pixels: int, max_inflated: int = MAX_INFLATED_TOTAL) -> None:
    """Refuse a PDF whose streams inflate far beyond any real page's (more than
    `max_inflated` bytes together, or a large stream compressed more than
    MAX_INFLATION_RATIO-fold), or whose images declare more pixels than the limit."""
    budget = max_inflated
    for stream in _streams(data):
        if _IMAGE.search(stream.header):
            _check_image(stream.header, max_pixels)
            continue
        filters = _filters(stream.header)
        if not filters or filters[0] not in _FLATE_NAMES:
            continue
        budget -= _inflated_size(stream.data, filters, budget, max_inflated)


def _streams(data: bytes) -> list[_Stream]:
    found = []
    for match in _STREAM.finditer(data):
        if not data[max(0, match.start() - 64) : match.start()].rstrip().endswith(b">>"):
            continue  # the word "stream" inside some other object
        # the dictionary starts after the nearest "obj" keyword (its own "N 0 obj")
        lookback = max(0, match.start() - 4096)
        obj = data.rfind(b"obj", lookback, match.start())
        header = data[obj + 3 if obj >= 0 else lookback : match.start()]
        found.append(_Stream(header, _stream_data(data, match.end(), header)))
    return found


def _stream_data(data: bytes, start: int, header: bytes) -> memoryview:
    length = _LENGTH.search(header)
    end = start + int(length.group(1)) if length else data.find(b"endstream", start)
    if end < start or end > len(data):
        end = len(data)  # a damaged length: PDFium will judge the file; we bound it anyway
    return memoryview(data)[start:end]


def _filters(header: bytes) -> list[bytes]:
    found = _FILTER.search(header)
    return list(_NAME.findall(found.group(1))) if found else []


def _inflated_size(encoded: memoryview, filters: list[bytes], budget: int, total: int) -> int:
    """Inflate through every leading Flate filter, never producing more than `budget`
    bytes (plus one, to know it was exceeded)."""
    size, chunk = len(encoded), bytes(encoded)
    for name in filters:
        if name not in _FLATE_NAMES:
            break
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(chunk, budget + 1)
        except zlib.error:
            return len(chunk)  # not valid Flate: nothing more to bound here
        if inflater.unconsumed_tail or len(chunk) > budget:
            raise _bomb(f"its content inflates to more than {total:,} bytes")
    if len(chunk) > RATIO_APPLIES_FROM and len(chunk) > MAX_INFLATION_RATIO * max(size, 1):
        raise _bomb(
            f"a stream of {size:,} bytes inflates to {len(chunk):,} bytes "
            f"({len(chunk) // max(size, 1):,}-fold)"
        )
    return len(chunk)


def _check_image(header: bytes, max_pixels: int) -> None:
    width, height = _WIDTH.search(header), _HEIGHT.search(header)
    if width and height and int(width.group(1)) * int(height.group(1)) > max_pixels:
        raise TooManyPixels(
            f"An image inside this PDF is too large ({int(width.group(1))}x"
            f"{int(height.group(1))} pixels); the limit is {max_pixels:,} pixels per page."
        )


def _bomb(why: str) -> ContentBomb:
    return ContentBomb(
        f"This PDF cannot be accepted: {why}, far beyond any real page. "
        "Print or scan the prescription to a new PDF or an image and upload that."
    )
