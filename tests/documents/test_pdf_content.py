"""A PDF's compressed streams are bounded before PDFium renders them: bombs are refused in
milliseconds, real PDFs pass untouched."""

from __future__ import annotations

import io
import random
import zlib
from pathlib import Path

import pytest
from PIL import Image

from scriptsensei.documents.errors import CorruptFile, TooManyPixels
from scriptsensei.documents.pdf_content import ContentBomb, check_pdf_content
from scriptsensei.documents.render import PageLimits, render_file
from scriptsensei.documents.types import detect_type
from tests.documents import samples
from tests.security import hostile_files as h

PIXELS = 60_000_000


def pdf_with_stream(header: str, body: bytes) -> bytes:
    """A one-page PDF whose page content is the given stream (dictionary and raw bytes)."""
    stream = f"<< {header} /Length {len(body)} >>\nstream\n".encode() + body + b"\nendstream"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        stream,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>",
    ]
    return h.assemble_pdf(objects)


def drawing_operators(size: int, seed: int = 1) -> bytes:
    """Varied operators, as a real page has: they compress a few fold, not a thousand."""
    rng = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        x, y = rng.randint(0, 612), rng.randint(0, 792)
        out += (
            f"BT /F1 {rng.randint(6, 14)} Tf {x} {y} Td (Tab {rng.random():.6f}) Tj ET\n".encode()
        )
    return bytes(out[:size])


def test_real_pdfs_pass() -> None:
    check_pdf_content(samples.pdf(3), PIXELS)
    check_pdf_content(h.pdf_from_pillow(), PIXELS)
    check_pdf_content(h.pdf_document(2, content=drawing_operators(300_000)), PIXELS)


def test_a_photo_saved_as_pdf_passes() -> None:
    buffer = io.BytesIO()
    Image.effect_noise((1240, 1754), 40).convert("RGB").save(buffer, "PDF", resolution=150)
    check_pdf_content(buffer.getvalue(), PIXELS)


def test_a_thousandfold_stream_is_refused() -> None:
    with pytest.raises(ContentBomb, match="fold"):
        check_pdf_content(h.pdf_content_bomb(megabytes=2), PIXELS)


def test_a_small_stream_may_compress_as_well_as_it_likes() -> None:
    check_pdf_content(h.pdf_document(1, content=b"q\nQ\n" * 100_000), PIXELS)  # 400 KB


def test_content_beyond_the_total_is_refused_whatever_its_ratio() -> None:
    data = h.pdf_document(1, content=drawing_operators(600_000))
    check_pdf_content(data, PIXELS, max_inflated=700_000)
    with pytest.raises(ContentBomb, match="more than 500,000 bytes"):
        check_pdf_content(data, PIXELS, max_inflated=500_000)


def test_streams_share_one_budget() -> None:
    body = zlib.compress(drawing_operators(300_000))
    one = pdf_with_stream("/Filter /FlateDecode", body)
    check_pdf_content(one, PIXELS, max_inflated=400_000)
    two = h.assemble_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
            f"<< /Length {len(body)} /Filter /FlateDecode >>\nstream\n".encode()
            + body
            + b"\nendstream",
            f"<< /Length {len(body)} /Filter /FlateDecode >>\nstream\n".encode()
            + body
            + b"\nendstream",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [3 0 R 4 0 R] >>",
        ]
    )
    with pytest.raises(ContentBomb):
        check_pdf_content(two, PIXELS, max_inflated=400_000)


def test_a_bomb_inside_a_second_flate_layer_is_refused() -> None:
    inner = zlib.compress(b"q\n" * (4 << 20), 9)
    outer = zlib.compress(inner, 9)
    data = pdf_with_stream("/Filter [/FlateDecode /FlateDecode]", outer)
    with pytest.raises(ContentBomb):
        check_pdf_content(data, PIXELS)


def test_an_indirect_length_is_bounded_at_endstream() -> None:
    body = zlib.compress(b"q\n" * (2 << 20), 9)
    stream = b"<< /Length 9 0 R /Filter /FlateDecode >>\nstream\n" + body + b"\nendstream"
    data = h.assemble_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            stream,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>",
        ]
    )
    with pytest.raises(ContentBomb):
        check_pdf_content(data, PIXELS)


def test_an_image_declaring_too_many_pixels_is_refused() -> None:
    data = pdf_with_stream(
        "/Type /XObject /Subtype /Image /Width 100000 /Height 100000 /BitsPerComponent 8 "
        "/ColorSpace /DeviceGray /Filter /FlateDecode",
        zlib.compress(b"\x00" * 10_000),
    )
    with pytest.raises(TooManyPixels, match="100000x100000"):
        check_pdf_content(data, PIXELS)


def test_a_stream_that_is_not_flate_is_left_to_pdfium() -> None:
    check_pdf_content(pdf_with_stream("/Filter /FlateDecode", b"not deflate at all"), PIXELS)


def test_intake_refuses_the_bomb_before_rendering(tmp_path: Path) -> None:
    data = h.pdf_content_bomb(megabytes=64)
    path = tmp_path / "bomb.pdf"
    path.write_bytes(data)
    # refused by the check that runs before rendering (PDFium alone needs about a minute)
    with pytest.raises(CorruptFile, match="inflates"):
        render_file(path, detect_type(data[:64]), PageLimits(40, PIXELS))
