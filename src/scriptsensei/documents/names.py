"""File names from clients are for display only: cleaned here, never used as a path."""

from __future__ import annotations

import unicodedata

MAX_NAME_CHARS = 255
# Bidirectional overrides and marks make "gpj.exe" display as "exe.jpg": removed.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _visible(char: str) -> bool:
    return char not in _BIDI_CONTROLS and unicodedata.category(char) != "Cc"


def _cap(name: str) -> str:
    if len(name) <= MAX_NAME_CHARS:
        return name
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and 0 < len(suffix) <= 16:
        return stem[: MAX_NAME_CHARS - len(suffix) - 1] + "." + suffix
    return name[:MAX_NAME_CHARS]


def sanitize_file_name(raw: str | None, fallback_extension: str = "") -> str:
    """A display name: last path component, no control or bidi characters, at most 255
    characters. Unicode letters are kept. Falls back to `upload<ext>` when nothing is left."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(c for c in text if _visible(c))
    # Both separators: a Windows client sends `C:\scans\rx.jpg`.
    text = text.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if text.strip(".") == "":
        text = ""
    return _cap(text) if text else f"upload{fallback_extension}"
