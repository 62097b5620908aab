"""A hospital outpatient sheet: hospital name and branch, a title bar, a boxed table of the
patient's details, vitals in a table, and the medications in a ruled table."""

from __future__ import annotations

import random

from scriptsensei.samples.content import Prescription
from scriptsensei.samples.layouts import blocks
from scriptsensei.samples.layouts import medications as medlines
from scriptsensei.samples.page import INK, Page, Part
from scriptsensei.samples.style import Style

_TITLES = (
    "OUTPATIENT PRESCRIPTION",
    "OPD PRESCRIPTION",
    "OUT-PATIENT RECORD",
    "CONSULTATION SHEET",
)
_VITAL_HEADERS = {
    "bloodPressure": "BP", "pulse": "Pulse", "temperature": "Temp", "spO2": "SpO2",
    "weight": "Weight", "height": "Height", "bmi": "BMI", "others": "Others",
}  # fmt: skip
_MED_HEADER = ("#", "Medicine", "Route", "Frequency", "Duration", "Instructions")
_MED_WIDTHS = (0.05, 0.36, 0.11, 0.15, 0.13, 0.20)


def render(page: Page, rx: Prescription, style: Style, rng: random.Random) -> None:
    y = _header(page, rx, style)
    y = _title(page, style, rng, y)
    y = _patient_table(page, rx, style, y) + style.size * 0.6
    if rx.vitals:
        y = _vitals_table(page, rx, style, y) + style.size * 0.6
    y = blocks.clinical_notes(page, rx, style, rng, y)
    page.write(
        (page.margin, y + style.size * 0.4), "Medications", style.label_font(1.05), style.accent
    )
    y += style.size * 2.0
    width = page.width - 2 * page.margin
    rows = [medlines.table_cells(med, i) for i, med in enumerate(rx.medications)]
    y = blocks.table(
        page, style, (page.margin, y), [f * width for f in _MED_WIDTHS], rows, _MED_HEADER
    )
    y = blocks.advice(page, rx, style, rng, y + style.size * 0.8)
    signature_height = style.size * 2.2 + 3 * style.line_height
    blocks.signature(
        page,
        rx,
        style,
        rng,
        (page.width - page.margin, max(y + style.size, page.limit - signature_height)),
    )


def _header(page: Page, rx: Prescription, style: Style) -> float:
    y = blocks.centred(
        page,
        [(rx.hospital_name or rx.clinic_name, "clinicDetails.hospitalName")],
        style.font(1.7, True, True),
        page.margin,
        style.accent,
    )
    if rx.branch:
        y = blocks.centred(
            page,
            [(rx.branch, "clinicDetails.branch"), (" Branch", None)],
            style.font(0.95, header=True),
            y,
            INK,
        )
    font = style.font(0.8, header=True)
    y = blocks.centred(page, [(rx.address, "clinicDetails.address")], font, y, INK)
    parts: list[Part] = [("Tel: ", None), (rx.phone, "clinicDetails.contactNumbers")]
    if rx.email:
        parts += [("   Email: ", None), (rx.email, "clinicDetails.email")]
    if rx.website:
        parts += [("   ", None), (rx.website, "clinicDetails.website")]
    return blocks.centred(page, parts, font, y, INK)


def _title(page: Page, style: Style, rng: random.Random, y: float) -> float:
    top, bottom = y + style.size * 0.3, y + style.size * 2.0
    page.draw.rectangle([page.margin, top, page.width - page.margin, bottom], fill=style.accent)
    blocks.centred(
        page, rng.choice(_TITLES), style.label_font(1.0), top + style.size * 0.3, (255, 255, 255)
    )
    return bottom + style.size * 0.6


def _patient_table(page: Page, rx: Prescription, style: Style, y: float) -> float:
    width = page.width - 2 * page.margin
    widths = [0.17 * width, 0.33 * width, 0.17 * width, 0.33 * width]
    age: list[Part] = [
        (rx.age, "patientDetails.age"),
        (" / ", None),
        (rx.gender, "patientDetails.gender"),
    ]
    rows: list[list[list[Part]]] = [
        [
            [(rx.uhid_label, None)],
            [(rx.uhid, "patientDetails.uhid")] if rx.uhid else [],
            [("Date", None)],
            [(rx.date, "patientDetails.date")],
        ],
        [
            [("Patient Name", None)],
            [(rx.patient_title, None), (rx.patient_name, "patientDetails.patientName")],
            [("Age / Sex", None)],
            age,
        ],
        [
            [("Department", None)],
            [(rx.department, None)],
            [("Consultant", None)],
            [(rx.doctor_name, "doctorDetails.doctorName")],
        ],
    ]
    return blocks.table(page, style, (page.margin, y), widths, rows)


def _vitals_table(page: Page, rx: Prescription, style: Style, y: float) -> float:
    width = (page.width - 2 * page.margin) / len(rx.vitals)
    header = [_VITAL_HEADERS[k] for k in rx.vitals]
    row: list[list[Part]] = [[(v, f"vitals.{k}")] for k, v in rx.vitals.items()]
    return blocks.table(page, style, (page.margin, y), [width] * len(rx.vitals), [row], header)
