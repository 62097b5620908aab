"""A doctor's printed pad filled in by hand: a small printed header, a form line for the
patient, and everything else handwritten, each line a little off its ruled place."""

from __future__ import annotations

import random
from dataclasses import replace

from scriptsensei.samples.content import Prescription
from scriptsensei.samples.layouts import blocks
from scriptsensei.samples.page import INK, Page, Part
from scriptsensei.samples.style import Style

_RULING = (200, 215, 235)


def render(page: Page, rx: Prescription, style: Style, rng: random.Random) -> None:
    _footer(page, rx, style)
    y = _header(page, rx, style)
    hand = replace(style, header=style.body)
    page.wobble = (rng, style.size * 0.25)
    y = _form(page, rx, style, hand, y)
    _ruling(page, y, style)
    if rx.vitals:
        y = blocks.flow_items(
            page, blocks.vitals_items(rx, rng), hand, (page.margin, y), page.width - page.margin
        )
    y = blocks.clinical_notes(page, rx, hand, rng, y + style.size * 0.2)
    y = blocks.rx_symbol(page, style, rng, (page.margin, y + style.size * 0.2))
    y = blocks.medication_list(page, rx, hand, rng, (page.margin + style.size, y))
    y = blocks.advice(page, rx, hand, rng, y + style.size * 0.4)
    page.wobble = None
    blocks.signature_scribble(
        page,
        rng,
        (page.width - page.margin - style.size * 6, min(y + style.size * 2, page.limit)),
        hand,
    )


def _header(page: Page, rx: Prescription, style: Style) -> float:
    y = float(page.margin)
    right = page.width - page.margin
    page.write(
        (page.margin, y),
        [(rx.doctor_name, "doctorDetails.doctorName")],
        style.font(1.3, True, True),
        style.accent,
    )
    page.write(
        (right, y),
        [(rx.clinic_name, "clinicDetails.clinicName")],
        style.font(1.1, True, True),
        INK,
        "ra",
    )
    y += style.size * 1.7
    font = style.font(0.8, header=True)
    left: list[list[Part]] = [[(rx.qualifications, None)]]
    if rx.specialization:
        left.append([(rx.specialization, "doctorDetails.specialization")])
    if rx.registration:
        left.append(
            [(rx.registration_label + " ", None), (rx.registration, "doctorDetails.registrationNo")]
        )
    right_lines: list[list[Part]] = [[("Ph: ", None), (rx.phone, "clinicDetails.contactNumbers")]]
    for k, parts in enumerate(left):
        page.write((page.margin, y + k * style.size * 1.1), parts, font, INK)
    for k, parts in enumerate(right_lines):
        page.write((right, y + k * style.size * 1.1), parts, font, INK, "ra")
    y += max(len(left), len(right_lines)) * style.size * 1.1 + style.size * 0.3
    page.rule(y, fill=style.accent, width=3)
    return y + style.size * 0.9


def _form(page: Page, rx: Prescription, printed: Style, hand: Style, y: float) -> float:
    """Printed labels on underlined blanks, the values written in by hand."""
    width = page.width - 2 * page.margin
    rows: list[list[tuple[str, list[Part], float]]] = [
        [
            (
                "Name",
                [(rx.patient_title, None), (rx.patient_name, "patientDetails.patientName")],
                0.62,
            ),
            ("Age", [(rx.age, "patientDetails.age")], 0.2),
            ("Sex", [(rx.gender, "patientDetails.gender")], 0.18),
        ],
        [
            ("Date", [(rx.date, "patientDetails.date")], 0.5),
            (rx.uhid_label, [(rx.uhid, "patientDetails.uhid")] if rx.uhid else [], 0.5),
        ],
    ]
    for row in rows:
        x = float(page.margin)
        for label, parts, share in row:
            _blank(page, printed, hand, (x, y), label, parts, share * width)
            x += share * width
        y += printed.line_height * 1.3
    return y + printed.size * 0.3


def _blank(
    page: Page,
    printed: Style,
    hand: Style,
    xy: tuple[float, float],
    label: str,
    parts: list[Part],
    width: float,
) -> None:
    x, y = xy
    wobble, page.wobble = page.wobble, None
    end = page.write((x, y), label + ":", printed.label_font(0.85), printed.accent)[2]
    page.draw.line(
        [(end + 6, y + printed.size * 1.05), (x + width - printed.size, y + printed.size * 1.05)],
        fill=(120, 120, 120),
        width=1,
    )
    page.wobble = wobble
    if parts:
        page.write(
            (end + printed.size * 0.6, y - printed.size * 0.15), parts, hand.font(), hand.ink
        )


def _ruling(page: Page, y: float, style: Style) -> None:
    """Faint ruled lines the handwriting sits near but not on."""
    step = style.line_height
    line = y + step * 0.95
    while line < page.limit:
        page.draw.line(
            [(page.margin, line), (page.width - page.margin, line)], fill=_RULING, width=1
        )
        line += step


def _footer(page: Page, rx: Prescription, style: Style) -> None:
    font = style.font(0.72, header=True)
    y = page.height - page.margin - style.line_height
    page.rule(y - style.size * 0.4, fill=style.accent, width=2)
    blocks.centred(page, [(rx.address, "clinicDetails.address")], font, y, INK)
    page.limit = int(y - style.size * 1.0)
