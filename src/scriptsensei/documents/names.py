"""File names from clients are for display only, never used as a path. A name that is a
path, hides characters, or is absurdly long is refused: no camera or scanner makes one, and
accepting a cleaned-up version would store a name the sender never chose."""

from __future__ import annotations

import unicodedata

from scriptsensei.documents.errors import BadFileName

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


def check_file_name(raw: str | None) -> None:
    """Refuse a client's file name that is a path (`/`, `\\`, `..`), holds control or
    bidirectional-override characters, or is longer than MAX_NAME_CHARS. Letters of any
    script, right-to-left ones included, are fine; a missing name is fine."""
    if not raw:
        return
    if "/" in raw or "\\" in raw or raw.strip() in {".", ".."}:
        raise BadFileName(
            f"The file name {_shown(raw)} is a path; send the file under its own name "
            "(such as rx-1.jpg), without folders."
        )
    if any(not _visible(c) for c in raw):
        raise BadFileName(
            f"The file name {_shown(raw)} contains control or text-direction characters "
            "that could disguise it; rename the file."
        )
    if len(raw) > MAX_NAME_CHARS:
        raise BadFileName(
            f"The file name is {len(raw):,} characters long; the limit is "
            f"{MAX_NAME_CHARS}. Rename the file."
        )


def _shown(raw: str) -> str:
    return repr(sanitize_file_name(raw)[:60])


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
