"""A minimal general practitioner's note in the Western style: the practice in small print,
the patient, and each medication with its directions spelt out."""

from __future__ import annotations

import random

from scriptsensei.samples.content import Prescription
from scriptsensei.samples.layouts import blocks
from scriptsensei.samples.page import INK, Page, Part
from scriptsensei.samples.style import Style


def render(page: Page, rx: Prescription, style: Style, rng: random.Random) -> None:
    y = _header(page, rx, style)
    page.rule(y, fill=(120, 120, 120), width=2)
    right = page.width - page.margin
    y = blocks.flow_items(
        page,
        blocks.patient_items(rx, rng, False),
        style,
        (page.margin, y + style.size * 0.8),
        right,
    )
    if rx.vitals:
        y = blocks.flow_items(page, blocks.vitals_items(rx, rng), style, (page.margin, y), right)
    y = blocks.clinical_notes(page, rx, style, rng, y + style.size * 0.4)
    y = blocks.rx_symbol(page, style, rng, (page.margin, y + style.size * 0.3))
    y = blocks.medication_list(page, rx, style, rng, (page.margin + style.size, y))
    y = blocks.advice(page, rx, style, rng, y + style.size * 0.5)
    _sign_off(page, rx, style, rng, y + style.size * 1.5)


def _header(page: Page, rx: Prescription, style: Style) -> float:
    y = float(page.margin)
    page.write(
        (page.margin, y),
        [(rx.clinic_name, "clinicDetails.clinicName")],
        style.font(1.25, True, True),
        INK,
    )
    font = style.font(0.8, header=True)
    y += style.size * 1.7
    lines: list[list[Part]] = [
        [(rx.address, "clinicDetails.address")],
        [("Tel: ", None), (rx.phone, "clinicDetails.contactNumbers")],
    ]
    if rx.email:
        lines.append([(rx.email, "clinicDetails.email")])
    if rx.website:
        lines.append([(rx.website, "clinicDetails.website")])
    for parts in lines:
        page.write((page.margin, y), parts, font, (60, 60, 60))
        y += style.size * 1.1
    return y + style.size * 0.4


def _sign_off(page: Page, rx: Prescription, style: Style, rng: random.Random, y: float) -> None:
    """Signature and the prescriber's details on the left, as GP notes are signed."""
    blocks.signature_scribble(page, rng, (page.margin, y), style)
    y += style.size * 2.2
    lines: list[list[Part]] = [
        [(rx.doctor_name, "doctorDetails.doctorName"), (", " + rx.qualifications, None)]
    ]
    if rx.specialization:
        lines.append([(rx.specialization, "doctorDetails.specialization")])
    if rx.registration:
        lines.append([(rx.registration, "doctorDetails.registrationNo")])
    for parts in lines:
        page.write((page.margin, y), parts, style.font(0.9, header=True), INK)
        y += style.line_height
