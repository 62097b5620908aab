"""Letterhead layouts: each draws a prescription on a page and marks the fields it printed."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from scriptsensei.samples.content import Convention, Prescription
from scriptsensei.samples.layouts import clinic, gp_note, hospital, pad, two_column
from scriptsensei.samples.page import Page
from scriptsensei.samples.style import MedicationFormat, Style

Renderer = Callable[[Page, Prescription, Style, random.Random], None]

# Page sizes in pixels: A4 at 200 dpi and A5 at 250 dpi.
A4 = (1654, 2339)
A5 = (1457, 2067)


@dataclass(frozen=True)
class Layout:
    name: str
    convention: Convention
    size: tuple[int, int]
    margin: int
    text_size: int  # body text height in pixels
    render: Renderer
    medication_formats: tuple[MedicationFormat, ...] = ()  # empty: the style's own choice
    handwritten: bool = False  # the body is always filled in by hand


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout("clinic_centred", "indian", A4, 110, 31, clinic.render),
        Layout("two_column", "indian", A4, 100, 30, two_column.render),
        Layout("hospital_opd", "indian", A4, 90, 28, hospital.render, ("table",)),
        Layout("gp_note", "western", A5, 90, 28, gp_note.render, ("western",)),
        Layout("handwritten_pad", "indian", A5, 80, 28, pad.render, handwritten=True),
    )
}
