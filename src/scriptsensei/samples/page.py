"""A page being drawn: every text drawn is recorded, and so is every field value with the
boxes it was drawn in, so the truth is exactly what reached the page."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFont

Box = tuple[int, int, int, int]
# A piece of a line: its text and the field path it is the value of (None for labels).
Part = tuple[str, str | None]
Color = tuple[int, int, int]

INK: Color = (20, 20, 30)
PAPER: Color = (255, 255, 255)


class PageOverflowError(Exception):
    """The content ran past the bottom margin; the caller re-renders smaller."""


@dataclass
class DrawnText:
    text: str
    box: Box


@dataclass
class FieldMark:
    value: str
    pieces: list[str] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)


class Page:
    def __init__(self, width: int, height: int, margin: int, paper: Color = PAPER) -> None:
        self.image = Image.new("RGB", (width, height), paper)
        self.draw = ImageDraw.Draw(self.image)
        self.width, self.height, self.margin = width, height, margin
        self.texts: list[DrawnText] = []
        self.fields: dict[str, FieldMark] = {}
        # Lowest y text may reach; a layout raises it above a footer it drew first.
        self.limit = height - margin
        # Set while writing by hand: each line lands a little off where it was aimed.
        self.wobble: tuple[random.Random, float] | None = None

    def write(
        self,
        xy: tuple[float, float],
        parts: Sequence[Part] | str,
        font: ImageFont.FreeTypeFont,
        fill: Color = INK,
        anchor: str = "la",
    ) -> Box:
        """Draw one line made of parts; parts with a path become that field's value."""
        parts = [(parts, None)] if isinstance(parts, str) else list(parts)
        text = "".join(p for p, _ in parts)
        if self.wobble:
            rng, amount = self.wobble
            xy = (xy[0] + rng.uniform(-amount, amount), xy[1] + rng.uniform(-amount, amount) / 2)
        if anchor[1] == "a":
            # Lines share a baseline whatever their fonts' ascents, as on a real pad.
            anchor, xy = anchor[0] + "s", (xy[0], xy[1] + font.size * 0.8)
        box = self._box(self.draw.textbbox(xy, text, font=font, anchor=anchor))
        if box[3] > self.limit or box[2] > self.width:
            raise PageOverflowError(text)
        self.draw.text(xy, text, font=font, fill=fill, anchor=anchor)
        self.texts.append(DrawnText(text, box))
        self._mark_parts(parts, box, font)
        return box

    def pair(
        self,
        xy: tuple[float, float],
        label: str,
        value: str,
        path: str,
        fonts: tuple[ImageFont.FreeTypeFont, ImageFont.FreeTypeFont],
        fill: Color = INK,
    ) -> Box:
        """`Label: value` with the label in the first font and the value in the second."""
        label_box = self.write(xy, label + " ", fonts[0], fill)
        value_box = self.write((label_box[2] + 4, xy[1]), [(value, path)], fonts[1], fill)
        return (label_box[0], min(label_box[1], value_box[1]), value_box[2], value_box[3])

    def paragraph(
        self,
        xy: tuple[float, float],
        parts: Sequence[Part],
        font: ImageFont.FreeTypeFont,
        max_width: float,
        line_height: float,
        fill: Color = INK,
    ) -> float:
        """Write parts wrapped at spaces to max_width; returns the y below the last line."""
        x, y = xy
        for line in wrap_parts(parts, font, max_width):
            self.write((x, y), line, font, fill)
            y += line_height
        return y

    def rule(
        self, y: float, x0: float | None = None, x1: float | None = None,
        fill: Color = INK, width: int = 2,
    ) -> None:  # fmt: skip
        left = self.margin if x0 is None else x0
        right = self.width - self.margin if x1 is None else x1
        self.draw.line([(left, y), (right, y)], fill=fill, width=width)

    def _box(self, box: tuple[float, float, float, float]) -> Box:
        return (int(box[0]), int(box[1]), int(box[2]), int(box[3]))

    def _mark_parts(self, parts: list[Part], box: Box, font: ImageFont.FreeTypeFont) -> None:
        offset = 0.0
        for text, path in parts:
            advance = font.getlength(text)
            if path is not None and text:
                mark = self.fields.setdefault(path, FieldMark(value=""))
                mark.pieces.append(text)
                mark.value = " ".join(mark.pieces)
                x0 = box[0] + offset
                mark.boxes.append((int(x0), box[1], int(x0 + advance), box[3]))
            offset += advance


def wrap_parts(
    parts: Sequence[Part], font: ImageFont.FreeTypeFont, max_width: float
) -> list[list[Part]]:
    """Split parts into lines no wider than max_width, breaking only at spaces."""
    words: list[Part] = []
    for text, path in parts:
        pieces = text.split(" ")
        for i, word in enumerate(pieces):
            words.append((word + (" " if i < len(pieces) - 1 else ""), path))
    lines: list[list[Part]] = [[]]
    width = 0.0
    for word, path in words:
        advance = font.getlength(word)
        if lines[-1] and width + font.getlength(word.rstrip()) > max_width:
            lines.append([])
            width = 0.0
        lines[-1].append((word, path))
        width += advance
    return [_merge(_strip_line_end(line)) for line in lines if line]


def _strip_line_end(line: list[Part]) -> list[Part]:
    # The space a line breaks at is not printed; values split across lines join with one.
    text, path = line[-1]
    return [*line[:-1], (text.rstrip(" "), path)]


def _merge(line: list[Part]) -> list[Part]:
    """Join neighbouring words of the same field into one part."""
    merged: list[Part] = []
    for text, path in line:
        if merged and merged[-1][1] == path:
            merged[-1] = (merged[-1][0] + text, path)
        else:
            merged.append((text, path))
    return merged
