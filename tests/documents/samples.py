"""Test files made on the spot: every accepted type, and hostile inputs."""

from __future__ import annotations

import io
import struct
import zlib

import pillow_heif
import pypdfium2 as pdfium
from PIL import Image


def image(size: tuple[int, int] = (120, 80), color: str = "white") -> Image.Image:
    picture = Image.new("RGB", size, color)
    picture.putpixel((3, 3), (0, 0, 0))
    return picture


def encoded(fmt: str, picture: Image.Image | None = None, **options: object) -> bytes:
    buffer = io.BytesIO()
    (picture or image()).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png(size: tuple[int, int] = (120, 80), color: str = "white") -> bytes:
    return encoded("PNG", image(size, color))


def jpeg(size: tuple[int, int] = (120, 80), color: str = "white") -> bytes:
    return encoded("JPEG", image(size, color))


def webp() -> bytes:
    return encoded("WEBP")


def tiff(pages: int = 3) -> bytes:
    frames = [image((60 + 10 * i, 40)) for i in range(pages)]
    return encoded("TIFF", frames[0], save_all=True, append_images=frames[1:])


def heic() -> bytes:
    buffer = io.BytesIO()
    pillow_heif.from_pillow(image((64, 48))).save(buffer, quality=90)
    return buffer.getvalue()


def pdf(pages: int = 2, size_points: tuple[float, float] = (72, 100)) -> bytes:
    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(*size_points)
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 100_000, height: int = 10_000) -> bytes:
    """A small, well-formed PNG header declaring width x height (10^9 pixels by default)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def noisy_png(size: tuple[int, int] = (300, 300)) -> bytes:
    """A PNG whose data does not compress away, so truncation really loses pixels."""
    picture = Image.frombytes(
        "RGB", size, bytes((i * 7919) % 251 for i in range(size[0] * size[1] * 3))
    )
    return encoded("PNG", picture)


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
ZIP = b"PK\x03\x04" + b"\x00" * 60
TEXT = b"patient: John Doe\nTab Paracetamol 500 mg BD\n"
GIF = b"GIF89a" + b"\x00" * 30
# Starts like a JPEG, then is an HTML page: refused when decoded.
POLYGLOT_JPEG_HTML = b"\xff\xd8\xff\xe0" + HTML
