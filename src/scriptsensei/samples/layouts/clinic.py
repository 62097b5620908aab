"""A clinic letterhead: centred header with the doctor, a footer with the clinic's contacts,
numbered or bulleted medication lines under the prescription symbol."""

from __future__ import annotations

import random

from scriptsensei.samples.content import Prescription
from scriptsensei.samples.layouts import blocks
from scriptsensei.samples.page import INK, Page, Part
from scriptsensei.samples.style import Style


def render(page: Page, rx: Prescription, style: Style, rng: random.Random) -> None:
    _footer(page, rx, style)
    y = _header(page, rx, style, page.margin)
    right = page.width - page.margin
    y = blocks.flow_items(
        page, blocks.patient_items(rx, rng, rng.random() < 0.6), style, (page.margin, y), right
    )
    if rx.vitals:
        y = blocks.flow_items(page, blocks.vitals_items(rx, rng), style, (page.margin, y), right)
    y = blocks.clinical_notes(page, rx, style, rng, y + style.size * 0.3)
    y = blocks.rx_symbol(page, style, rng, (page.margin, y + style.size * 0.3))
    y = blocks.medication_list(page, rx, style, rng, (page.margin + style.size * 1.5, y))
    y = blocks.advice(page, rx, style, rng, y + style.size * 0.5)
    signature_height = style.size * 2.2 + 3 * style.line_height
    blocks.signature(
        page, rx, style, rng, (right, max(y + style.size, page.limit - signature_height))
    )


def _header(page: Page, rx: Prescription, style: Style, y: float) -> float:
    blocks.logo(page, style, (page.margin, y), rx.clinic_name)
    y = blocks.centred(
        page,
        [(rx.clinic_name, "clinicDetails.clinicName")],
        style.font(1.9, True, True),
        y,
        style.accent,
    )
    y = blocks.centred(
        page,
        [(rx.doctor_name, "doctorDetails.doctorName")],
        style.font(1.35, True, True),
        y + style.size * 0.3,
        INK,
    )
    y = blocks.centred(page, rx.qualifications, style.font(0.95, header=True), y, INK)
    if rx.specialization:
        y = blocks.centred(
            page,
            [(rx.specialization, "doctorDetails.specialization")],
            style.font(0.95, header=True),
            y,
            INK,
        )
    if rx.registration:
        parts: list[Part] = [
            (rx.registration_label + " ", None),
            (rx.registration, "doctorDetails.registrationNo"),
        ]
        y = blocks.centred(page, parts, style.font(0.85, header=True), y, INK)
    page.rule(y + style.size * 0.4, fill=style.accent, width=4)
    return y + style.size * 1.2


def _footer(page: Page, rx: Prescription, style: Style) -> None:
    font = style.font(0.8, header=True)
    y = page.height - page.margin - 2 * style.line_height
    page.rule(y - style.size * 0.5, fill=style.accent, width=3)
    blocks.centred(page, [(rx.address, "clinicDetails.address")], font, y, INK)
    blocks.centred(page, contact_parts(rx), font, y + style.line_height, INK)
    page.limit = int(y - style.size * 1.2)


def contact_parts(rx: Prescription) -> list[Part]:
    parts: list[Part] = [("Ph: ", None), (rx.phone, "clinicDetails.contactNumbers")]
    if rx.email:
        parts += [("  |  Email: ", None), (rx.email, "clinicDetails.email")]
    if rx.website:
        parts += [("  |  ", None), (rx.website, "clinicDetails.website")]
    return parts
