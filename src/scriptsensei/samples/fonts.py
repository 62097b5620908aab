"""Typefaces for synthetic prescriptions: printed DejaVu from the system, and the
handwriting-like faces shipped beside this module (SIL Open Font Licence, see fonts/)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

_SHIPPED = Path(__file__).parent / "fonts"
_SYSTEM_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
)


class FontMissingError(RuntimeError):
    """A typeface the generator needs is not installed."""


@dataclass(frozen=True)
class Typeface:
    name: str
    regular: str  # file name
    bold: str
    handwriting: bool
    bullet: str  # the glyph this face draws for a list bullet
    shipped: bool = False
    scale: float = 1.0  # faces with a small x-height are drawn larger to read at the same size


PRINTED: tuple[Typeface, ...] = (
    Typeface("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", False, "•"),
    Typeface("DejaVu Serif", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", False, "•"),
    Typeface(
        "DejaVu Sans Condensed", "DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf",
        False, "•",
    ),
)  # fmt: skip
HANDWRITING: tuple[Typeface, ...] = (
    Typeface("Comic Neue", "ComicNeue-Regular.otf", "ComicNeue-Bold.otf", True, "•", True),
    Typeface("Breip", "Breip.ttf", "Breip.ttf", True, "-", True, 1.25),
)
# The prescription symbol: only DejaVu Sans has the glyph.
RX_FACE = PRINTED[0]
RX_SYMBOL = "\u211e"


def font_path(face: Typeface, bold: bool = False) -> Path:
    file_name = face.bold if bold else face.regular
    if face.shipped:
        return _SHIPPED / file_name
    for directory in _SYSTEM_DIRS:
        candidate = directory / file_name
        if candidate.is_file():
            return candidate
    raise FontMissingError(
        f"font file {file_name} ({face.name}) not found in "
        f"{', '.join(str(d) for d in _SYSTEM_DIRS)}: install the Debian package fonts-dejavu-core"
    )


@lru_cache(maxsize=512)
def load(face: Typeface, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(face, bold)), round(size * face.scale))


def check_fonts() -> None:
    """Fail early, with the fix in the message, when a typeface is missing."""
    for face in PRINTED + HANDWRITING:
        font_path(face)
        font_path(face, bold=True)
