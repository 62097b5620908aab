"""Client file names are cleaned for display and never trusted."""

from __future__ import annotations

import pytest

from scriptsensei.documents.errors import BadFileName
from scriptsensei.documents.names import MAX_NAME_CHARS, check_file_name, sanitize_file_name


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


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("../../etc/passwd", "is a path"),
        ("scans/rx.jpg", "is a path"),
        ("C:\\scans\\rx.png", "is a path"),
        ("..", "is a path"),
        ("a\x00b.png", "control or text-direction"),
        ("line\nbreak.png", "control or text-direction"),
        ("invoice\u202egpj.exe", "control or text-direction"),
        ("\u2067rx\u2069.png", "control or text-direction"),
        ("x" * 256, "256 characters long"),
    ],
)
def test_names_that_are_paths_or_disguised_are_refused(raw: str, why: str) -> None:
    with pytest.raises(BadFileName, match=why) as refused:
        check_file_name(raw)
    assert refused.value.status_code == 400


@pytest.mark.parametrize(
    "raw", [None, "", "rx.jpg", "पर्चा-१.jpg", "処方箋.png", "وصفة طبية.jpg", "x" * 255, "a..b.png"]
)
def test_names_of_any_script_are_accepted(raw: str | None) -> None:
    check_file_name(raw)
