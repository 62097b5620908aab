"""The type is decided by the first bytes only."""

from __future__ import annotations

import pytest

from scriptsensei.documents.errors import UnsupportedFileType
from scriptsensei.documents.types import ACCEPTED_TYPES_SENTENCE, detect_type
from tests.documents import samples


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (samples.jpeg(), "image/jpeg"),
        (samples.png(), "image/png"),
        (samples.webp(), "image/webp"),
        (samples.tiff(), "image/tiff"),
        (samples.heic(), "image/heic"),
        (samples.pdf(), "application/pdf"),
    ],
)
def test_accepted_types_are_recognised_by_content(data: bytes, expected: str) -> None:
    assert detect_type(data[:64]).content_type == expected


@pytest.mark.parametrize(
    "data",
    [samples.SVG, samples.HTML, samples.ZIP, samples.TEXT, samples.GIF, b"\x00" * 64, b"%PD"],
    ids=["svg", "html", "zip", "text", "gif", "zeros", "short"],
)
def test_everything_else_is_unsupported_with_the_accepted_list(data: bytes) -> None:
    with pytest.raises(UnsupportedFileType) as caught:
        detect_type(data[:64])
    assert caught.value.status_code == 415
    assert ACCEPTED_TYPES_SENTENCE in caught.value.detail
