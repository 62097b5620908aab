"""Deciding what a file is from its first bytes: never from its name or a declared type."""

from __future__ import annotations

from dataclasses import dataclass

from scriptsensei.documents.errors import UnsupportedFileType

# Enough for every signature below (the HEIF brand sits at bytes 8..12).
HEAD_BYTES = 64
ACCEPTED_TYPES_SENTENCE = (
    "Accepted types are JPEG, PNG, WebP, TIFF, HEIC/HEIF images and PDF documents."
)
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
)


@dataclass(frozen=True)
class FileType:
    name: str  # short label for messages: "PNG", "PDF"...
    content_type: str
    extension: str  # used only to name a file whose name was unusable
    is_pdf: bool = False


JPEG = FileType("JPEG", "image/jpeg", ".jpg")
PNG = FileType("PNG", "image/png", ".png")
WEBP = FileType("WebP", "image/webp", ".webp")
TIFF = FileType("TIFF", "image/tiff", ".tiff")
HEIF = FileType("HEIC", "image/heic", ".heic")
PDF = FileType("PDF", "application/pdf", ".pdf", is_pdf=True)
ACCEPTED = (JPEG, PNG, WEBP, TIFF, HEIF, PDF)


def sniff(head: bytes) -> FileType | None:
    """The type whose signature `head` starts with, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIF
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def detect_type(head: bytes) -> FileType:
    """The accepted type of a file from its first bytes; UnsupportedFileType otherwise."""
    found = sniff(head)
    if found is None:
        raise UnsupportedFileType(
            f"This file is not a supported image or PDF. {ACCEPTED_TYPES_SENTENCE}"
        )
    return found


def type_for_content_type(content_type: str | None) -> FileType | None:
    """The accepted type stored under `content_type` (for rows written earlier)."""
    return next((t for t in ACCEPTED if t.content_type == content_type), None)
