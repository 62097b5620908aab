"""How one sample looks: typefaces, colour, size and the way medications are written."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from PIL import ImageFont

from scriptsensei.samples import fonts
from scriptsensei.samples.fonts import Typeface
from scriptsensei.samples.page import Color

MedicationFormat = Literal["one_line", "two_line", "western", "table"]
ListMarker = Literal["numbered", "bullet", "plain", "dash"]

ACCENTS: tuple[Color, ...] = (
    (0, 70, 140), (130, 20, 40), (0, 100, 80), (40, 40, 40), (90, 30, 120), (0, 90, 160),
)  # fmt: skip
HANDWRITING_INKS: tuple[Color, ...] = ((15, 25, 110), (20, 20, 30), (10, 40, 120))


@dataclass(frozen=True)
class Style:
    header: Typeface
    body: Typeface
    accent: Color
    ink: Color  # colour of the filled-in text
    size: int  # body text height in pixels
    marker: ListMarker
    medication_format: MedicationFormat
    separator: str  # between the parts of a one-line medication

    @property
    def line_height(self) -> int:
        return int(self.size * 1.45)

    def font(
        self, scale: float = 1.0, bold: bool = False, header: bool = False
    ) -> ImageFont.FreeTypeFont:
        face = self.header if header else self.body
        return fonts.load(face, max(8, round(self.size * scale)), bold)

    def label_font(self, scale: float = 1.0) -> ImageFont.FreeTypeFont:
        """Printed labels are part of the pad, so they use the header's face."""
        return fonts.load(self.header, max(8, round(self.size * scale)), True)

    def scaled(self, factor: float) -> Style:
        return Style(
            self.header, self.body, self.accent, self.ink, max(10, int(self.size * factor)),
            self.marker, self.medication_format, self.separator,
        )  # fmt: skip


def choose_style(rng: random.Random, size: int, handwriting_share: float) -> Style:
    header = rng.choice(fonts.PRINTED)
    handwritten = rng.random() < handwriting_share
    body = rng.choice(fonts.HANDWRITING) if handwritten else header
    return Style(
        header=header,
        body=body,
        accent=rng.choice(ACCENTS),
        ink=rng.choice(HANDWRITING_INKS) if handwritten else (20, 20, 30),
        size=int(size * (1.15 if handwritten else 1.0)),
        marker=rng.choice(("numbered", "numbered", "bullet", "plain", "dash")),
        medication_format=rng.choice(("one_line", "two_line", "one_line")),
        separator=rng.choice(("  ", " - ", "  |  ", "; ")),
    )
