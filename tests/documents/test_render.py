"""Pages are decoded fully, with page count and pixel limits checked before decoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptsensei.documents import render
from scriptsensei.documents.errors import CorruptFile, TooManyPages, TooManyPixels
from scriptsensei.documents.render import PageLimits, render_file
from scriptsensei.documents.types import detect_type
from tests.documents import samples

LIMITS = PageLimits(max_pages=40, max_pixels=60_000_000)


def _render(tmp_path: Path, data: bytes, limits: PageLimits = LIMITS) -> list[object]:
    path = tmp_path / "file"
    path.write_bytes(data)
    return list(render_file(path, detect_type(data[:64]), limits))


@pytest.mark.parametrize(
    ("data", "pages"),
    [
        (samples.jpeg(), 1),
        (samples.png(), 1),
        (samples.webp(), 1),
        (samples.tiff(3), 3),
        (samples.heic(), 1),
        (samples.pdf(2), 2),
    ],
    ids=["jpeg", "png", "webp", "tiff", "heic", "pdf"],
)
def test_every_accepted_type_renders_its_pages(tmp_path: Path, data: bytes, pages: int) -> None:
    assert len(_render(tmp_path, data)) == pages


def test_png_declaring_a_billion_pixels_is_refused_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[bytes] = []
    monkeypatch.setattr(render, "decode_pages", lambda data, **kw: decoded.append(data))
    with pytest.raises(TooManyPixels) as caught:
        _render(tmp_path, samples.png_bomb())
    assert "pixels" in caught.value.detail
    assert decoded == []


def test_image_over_the_configured_pixel_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TooManyPixels):
        _render(tmp_path, samples.png((200, 200)), PageLimits(40, 10_000))


def test_pdf_with_thousands_of_pages_is_refused_by_its_page_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[bytes] = []
    monkeypatch.setattr(render, "decode_pages", lambda data, **kw: decoded.append(data))
    with pytest.raises(TooManyPages) as caught:
        _render(tmp_path, samples.pdf(3000))
    assert "3000 pages" in caught.value.detail
    assert "40" in caught.value.detail
    assert decoded == []


def test_pdf_page_too_large_to_render_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TooManyPixels):
        _render(tmp_path, samples.pdf(1, (14_400, 14_400)))  # 200 x 200 inches


def test_tiff_with_too_many_pages_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TooManyPages):
        _render(tmp_path, samples.tiff(5), PageLimits(4, 60_000_000))


@pytest.mark.parametrize(
    "data",
    [
        samples.truncated(samples.noisy_png()),
        samples.truncated(samples.encoded("JPEG", samples.image((400, 400)))),
        samples.truncated(samples.pdf(2)),
        samples.POLYGLOT_JPEG_HTML,
        b"%PDF-1.7\n<html>not a pdf</html>",
        b"RIFF\x10\x00\x00\x00WEBPVP8 garbage",
    ],
    ids=["truncated-png", "truncated-jpeg", "truncated-pdf", "jpeg-html", "pdf-html", "webp"],
)
def test_truncated_or_corrupt_files_are_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(CorruptFile) as caught:
        _render(tmp_path, data)
    assert caught.value.status_code == 422
