"""Decoding uploads into page images: every supported format, and the failures."""

from __future__ import annotations

import io
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image

from scriptsensei.extraction.pages import PageDecodeError, decode_pages, load_file


def _image(color: str = "white", size: tuple[int, int] = (120, 80)) -> Image.Image:
    image = Image.new("RGB", size, color)
    image.putpixel((5, 5), (0, 0, 0))
    return image


def _encoded(fmt: str, image: Image.Image | None = None, **options: object) -> bytes:
    buffer = io.BytesIO()
    (image or _image()).save(buffer, format=fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_single_image_formats_become_one_png_page(fmt: str) -> None:
    pages = decode_pages(_encoded(fmt))
    assert len(pages) == 1
    page = pages[0]
    assert (page.index, page.width, page.height, page.content_type) == (0, 120, 80, "image/png")
    assert Image.open(io.BytesIO(page.data)).size == (120, 80)


def test_multi_page_tiff_gives_every_page() -> None:
    frames = [_image("white"), _image("gray", (60, 90)), _image("white", (30, 30))]
    data = _encoded("TIFF", frames[0], save_all=True, append_images=frames[1:])
    pages = decode_pages(data)
    assert [(p.index, p.width, p.height) for p in pages] == [(0, 120, 80), (1, 60, 90), (2, 30, 30)]


def test_heic_is_decoded() -> None:
    heif = pillow_heif.from_pillow(_image(size=(64, 48)))
    buffer = io.BytesIO()
    heif.save(buffer, quality=90)
    pages = decode_pages(buffer.getvalue())
    assert (pages[0].width, pages[0].height) == (64, 48)


def test_multi_page_pdf_is_rendered_page_by_page() -> None:
    data = _encoded("PDF", _image(), save_all=True, append_images=[_image(size=(80, 120))])
    pages = decode_pages(data)
    assert len(pages) == 2
    assert pages[0].width > pages[0].height  # landscape first page
    assert pages[1].height > pages[1].width  # portrait second page


def test_exif_orientation_of_phone_photos_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    pages = decode_pages(_encoded("JPEG", _image(size=(120, 80)), exif=exif.tobytes()))
    assert (pages[0].width, pages[0].height) == (80, 120)


def test_load_file_reads_by_path(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(_encoded("PNG"))
    assert len(load_file(path)) == 1


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PageDecodeError, match="file not found"):
        load_file(tmp_path / "nope.png")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("photo.jpg", "JPEG"),
        ("scan.pdf", "PNG"),  # a PNG named .pdf is still a PNG
        ("scan", "PNG"),  # no extension at all
        ("photo.txt", "JPEG"),
        ("page.png", "TIFF"),
    ],
)
def test_load_file_decides_the_type_by_content_not_name(
    name: str, fmt: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(_encoded(fmt))
    pages = load_file(path)
    assert [(p.width, p.height, p.content_type) for p in pages] == [(120, 80, "image/png")]


def test_pdf_content_under_an_image_name_is_rendered_as_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(_encoded("PDF", _image(), save_all=True, append_images=[_image()]))
    assert len(load_file(path)) == 2


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.docx", b"PK\x03\x04" + b"\x00" * 40),
        ("rx.png", _encoded("GIF")),  # an image, but not a type uploads accept either
        ("rx.jpg", _encoded("BMP")),
        ("rx.pdf", b"Tab. Paracetamol 500 mg"),
    ],
)
def test_content_of_an_unsupported_type_is_refused_whatever_its_name(
    name: str, data: bytes, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(PageDecodeError, match=rf"{name} is not a supported image or PDF") as raised:
        load_file(path)
    assert "JPEG, PNG, WebP, TIFF, HEIC/HEIF images and PDF" in str(raised.value)


def test_an_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "rx.png"
    path.write_bytes(b"")
    with pytest.raises(PageDecodeError, match="empty"):
        load_file(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"this is not an image", "not a readable image or PDF"),
        (b"%PDF-1.4 truncated garbage", "not a readable PDF"),
    ],
)
def test_unreadable_content_is_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(PageDecodeError, match=message):
        decode_pages(data)


def test_page_limit_is_enforced() -> None:
    frames = [_image() for _ in range(3)]
    data = _encoded("TIFF", frames[0], save_all=True, append_images=frames[1:])
    with pytest.raises(PageDecodeError, match="more than 2 pages"):
        decode_pages(data, max_pages=2)


def test_pixel_limit_is_enforced() -> None:
    with pytest.raises(PageDecodeError, match="too large"):
        decode_pages(_encoded("PNG"), max_pixels=100)
