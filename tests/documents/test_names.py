"""Client file names are cleaned for display and never trusted."""

from __future__ import annotations

import pytest

from scriptsensei.documents.names import MAX_NAME_CHARS, sanitize_file_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("rx.jpg", "rx.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\scans\\today\\rx.png", "rx.png"),
        ("/abs/path/to/scan.pdf", "scan.pdf"),
        ("a\x00b\x07c.png", "abc.png"),
        ("line\nbreak.png", "linebreak.png"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("\u2067rx\u2069.png", "rx.png"),
        ("पर्चा-१.jpg", "पर्चा-१.jpg"),
        ("処方箋.png", "処方箋.png"),
        ("", "upload.png"),
        (None, "upload.png"),
        ("..", "upload.png"),
        ("../", "upload.png"),
        ("   ", "upload.png"),
    ],
)
def test_names_are_sanitised(raw: str | None, expected: str) -> None:
    assert sanitize_file_name(raw, ".png") == expected


def test_long_names_are_capped_keeping_the_extension() -> None:
    name = sanitize_file_name("x" * 1000 + ".jpeg")
    assert len(name) == MAX_NAME_CHARS
    assert name.endswith(".jpeg")


def test_long_names_without_extension_are_capped() -> None:
    assert len(sanitize_file_name("y" * 400)) == MAX_NAME_CHARS
