"""Hostile files built byte by byte: corrupt and truncated images, decompression bombs
declared in a header, PDFs with absurd page counts or page sizes, polyglots."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image


def png(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (250, 250, 250)) -> bytes:
    picture = Image.new("RGB", size, colour)
    picture.putpixel((1, 1), (0, 0, 0))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (240, 240, 240)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def pdf_from_pillow() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), (255, 255, 255)).save(buffer, "PDF", resolution=72)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height pixels, with a few kilobytes of real data:
    small on the wire, enormous once decoded."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * min(width + 1, 4096) * 4, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def png_with_bad_crc() -> bytes:
    data = bytearray(png())
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF  # a byte of compressed data: the chunk's CRC no longer matches
    return bytes(data)


def png_garbage_idat() -> bytes:
    """Chunk structure and CRCs intact, but the compressed data is not zlib."""
    header = struct.pack(">IIBBBBB", 64, 48, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"this is not deflate data" * 8)
        + _chunk(b"IEND", b"")
    )


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: max(1, int(len(data) * keep))]


def pdf_document(
    pages: int, media_box: tuple[int, int] = (612, 792), content: bytes = b""
) -> bytes:
    """A PDF of `pages` pages, each `media_box` points, all sharing one content stream."""
    objects: list[bytes] = []
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objects.append(_stream(content))
    width, height = media_box
    page = f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Contents 3 0 R >>"
    objects.extend(page.encode() for _ in range(pages))
    return assemble_pdf(objects)


def _stream(content: bytes) -> bytes:
    if not content:
        return b"<< /Length 0 >>\nstream\n\nendstream"
    packed = zlib.compress(content, 9)
    head = f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode()
    return head + packed + b"\nendstream"


def assemble_pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return bytes(out + trailer.encode())


def pdf_content_bomb(megabytes: int = 64) -> bytes:
    """One ordinary page whose content stream inflates from ~100 KB to `megabytes` MB of
    graphics-state pushes (`q`), nested far deeper than any real page."""
    return pdf_document(1, content=b"q\n" * (megabytes * 512 * 1024))


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buffer.getvalue()


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(1)</script></svg>"
)
GIF_HTML_POLYGLOT = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;<script>alert(1)</script>"
JPEG_HTML_POLYGLOT = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<html><script>alert(1)</script></html>"
PDF_GARBAGE = b"%PDF-1.4\nthis is not a PDF at all, only its first five bytes\n"
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
