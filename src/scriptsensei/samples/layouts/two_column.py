"""A two-column letterhead: the doctor on the left, the clinic and its contacts on the right,
then the patient's details as label-value rows and the medications under `Rx`."""

from __future__ import annotations

import random

from scriptsensei.samples.content import Prescription
from scriptsensei.samples.layouts import blocks
from scriptsensei.samples.page import INK, Page, Part
from scriptsensei.samples.style import Style

_FOOTNOTES = (
    "Timings: Mon - Sat 10 am - 1 pm, 5 pm - 9 pm. Sunday closed.",
    "Not valid for medico-legal purposes.",
    "Please bring this prescription on your next visit.",
    "In case of emergency call the clinic.",
)


def render(page: Page, rx: Prescription, style: Style, rng: random.Random) -> None:
    footnote_y = page.height - page.margin - style.line_height
    page.write(
        (page.margin, footnote_y),
        rng.choice(_FOOTNOTES),
        style.font(0.75, header=True),
        (90, 90, 90),
    )
    page.limit = int(footnote_y - style.line_height)
    y = max(_doctor(page, rx, style, page.margin), _clinic(page, rx, style, page.margin))
    page.rule(y, fill=style.accent, width=3)
    page.rule(y + 7, fill=style.accent, width=1)
    right = page.width - page.margin
    y = blocks.flow_items(
        page,
        blocks.patient_items(rx, rng, rng.random() < 0.4),
        style,
        (page.margin, y + style.size),
        right,
    )
    if rx.vitals:
        y = blocks.flow_items(page, blocks.vitals_items(rx, rng), style, (page.margin, y), right)
    page.rule(y, fill=(150, 150, 150), width=1)
    y = blocks.clinical_notes(page, rx, style, rng, y + style.size * 0.6)
    y = blocks.rx_symbol(page, style, rng, (page.margin, y + style.size * 0.3))
    y = blocks.medication_list(page, rx, style, rng, (page.margin + style.size, y))
    y = blocks.advice(page, rx, style, rng, y + style.size * 0.5)
    signature_height = style.size * 2.2 + 3 * style.line_height
    blocks.signature(
        page, rx, style, rng, (right, max(y + style.size, page.limit - signature_height))
    )


def _doctor(page: Page, rx: Prescription, style: Style, y: float) -> float:
    x = page.margin
    page.write(
        (x, y),
        [(rx.doctor_name, "doctorDetails.doctorName")],
        style.font(1.4, True, True),
        style.accent,
    )
    y += style.size * 1.9
    lines: list[list[Part]] = [[(rx.qualifications, None)]]
    if rx.specialization:
        lines.append([(rx.specialization, "doctorDetails.specialization")])
    if rx.registration:
        lines.append(
            [(rx.registration_label + " ", None), (rx.registration, "doctorDetails.registrationNo")]
        )
    for parts in lines:
        page.write((x, y), parts, style.font(0.82, header=True), INK)
        y += style.size * 1.2
    return y + style.size * 0.4


def _clinic(page: Page, rx: Prescription, style: Style, y: float) -> float:
    x = page.width - page.margin
    page.write(
        (x, y),
        [(rx.clinic_name, "clinicDetails.clinicName")],
        style.font(1.25, True, True),
        INK,
        "ra",
    )
    y += style.size * 1.8
    lines: list[list[Part]] = [[(rx.address, "clinicDetails.address")]]
    lines.append([("Ph: ", None), (rx.phone, "clinicDetails.contactNumbers")])
    if rx.email:
        lines.append([("Email: ", None), (rx.email, "clinicDetails.email")])
    if rx.website:
        lines.append([(rx.website, "clinicDetails.website")])
    font = style.font(0.78, header=True)
    for parts in lines:
        page.write((x, y), parts, font, INK, "ra")
        y += style.size * 1.15
    return y + style.size * 0.4
