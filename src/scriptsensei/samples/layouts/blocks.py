"""Blocks that several letterheads share: label-value rows, clinical notes, the medication
list, advice, the prescription symbol and the signature."""

from __future__ import annotations

import random
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from scriptsensei.samples import fonts
from scriptsensei.samples.content import Prescription
from scriptsensei.samples.layouts import medications as medlines
from scriptsensei.samples.page import Color, Page, Part, wrap_parts
from scriptsensei.samples.style import Style

# A labelled item: its label (may be empty) and the parts of its value.
Item = tuple[str, list[Part]]

CLINICAL_LABELS: dict[str, tuple[str, ...]] = {
    "chiefComplaints": ("C/O:", "Chief Complaints:", "Complaints:", "Presenting complaints:"),
    "medicalHistory": ("H/O:", "History:", "Past History:", "PMH:"),
    "examination": ("O/E:", "Examination:", "On Examination:", "Findings:"),
    "diagnosis": ("Diagnosis:", "Dx:", "Provisional Diagnosis:", "Impression:"),
}
VITAL_LABELS: dict[str, tuple[str, ...]] = {
    "bloodPressure": ("BP:", "B.P.:", "BP"),
    "pulse": ("Pulse:", "PR:", "HR:"),
    "temperature": ("Temp:", "Temperature:", "T:"),
    "spO2": ("SpO2:", "SPO2:", "SpO2"),
    "weight": ("Wt:", "Weight:", "Wt"),
    "height": ("Ht:", "Height:", "Ht"),
    "bmi": ("BMI:", "BMI"),
    "others": ("",),
}


def flow_items(
    page: Page, items: Sequence[Item], style: Style, xy: tuple[float, float], max_x: float
) -> float:
    """Items side by side, wrapping to a new row when the next would not fit."""
    x0, y = xy
    x = x0
    label_font, value_font = style.label_font(0.92), style.font()
    gap = style.size * 1.6
    for label, parts in items:
        width = label_font.getlength(label + " ") + value_font.getlength(
            "".join(p for p, _ in parts)
        )
        if x > x0 and x + width > max_x:
            x, y = x0, y + style.line_height
        x = _item(page, label, parts, (x, y), label_font, value_font, style) + gap
    return y + style.line_height


def _item(
    page: Page,
    label: str,
    parts: list[Part],
    xy: tuple[float, float],
    label_font: ImageFont.FreeTypeFont,
    value_font: ImageFont.FreeTypeFont,
    style: Style,
) -> float:
    x = xy[0]
    if label:
        x = page.write(xy, label + " ", label_font, style.accent)[2] + label_font.getlength(" ")
    return page.write((x, xy[1]), parts, value_font, style.ink)[2]


def labelled_paragraph(
    page: Page, label: str, value: str, path: str, style: Style, xy: tuple[float, float]
) -> float:
    """`Label: value` wrapped within the margins; returns the y below it."""
    label_font = style.label_font(0.92)
    box = page.write(xy, label, label_font, style.accent)
    x = box[2] + style.size * 0.5
    width = page.width - page.margin - x
    return page.paragraph(
        (x, xy[1]), [(value, path)], style.font(), width, style.line_height, style.ink
    )


def patient_items(rx: Prescription, rng: random.Random, combined_age: bool) -> list[Item]:
    name_label = rng.choice(("Name:", "Patient Name:", "Pt:", "Patient:"))
    items: list[Item] = [
        (name_label, [(rx.patient_title, None), (rx.patient_name, "patientDetails.patientName")])
    ]
    age: list[Part] = [(rx.age, "patientDetails.age")]
    gender: list[Part] = [(rx.gender, "patientDetails.gender")]
    if combined_age:
        items.append((rng.choice(("Age/Sex:", "Age/Gender:")), [*age, (" / ", None), *gender]))
    else:
        items += [("Age:", age), (rng.choice(("Sex:", "Gender:")), gender)]
    if rx.uhid:
        items.append((rx.uhid_label + ":", [(rx.uhid, "patientDetails.uhid")]))
    items.append((rng.choice(("Date:", "Dt:", "Date")), [(rx.date, "patientDetails.date")]))
    return items


def vitals_items(rx: Prescription, rng: random.Random) -> list[Item]:
    return [(rng.choice(VITAL_LABELS[k]), [(v, f"vitals.{k}")]) for k, v in rx.vitals.items()]


def clinical_notes(
    page: Page, rx: Prescription, style: Style, rng: random.Random, y: float
) -> float:
    values = {
        "chiefComplaints": rx.complaints,
        "medicalHistory": rx.history,
        "examination": rx.examination,
        "diagnosis": rx.diagnosis,
    }
    for key, value in values.items():
        if value:
            label = rng.choice(CLINICAL_LABELS[key])
            y = labelled_paragraph(
                page, label, value, f"clinicalDetails.{key}", style, (page.margin, y)
            )
    if rx.allergies:
        label = rng.choice(("Allergies:", "Drug Allergy:", "Known Allergies:", "Allergy:"))
        y = labelled_paragraph(
            page, label, rx.allergies, "patientDetails.allergies", style, (page.margin, y)
        )
    return y


def rx_symbol(page: Page, style: Style, rng: random.Random, xy: tuple[float, float]) -> float:
    """The prescription symbol, as the glyph or as the letters `Rx`."""
    if rng.random() < 0.6:
        font = fonts.load(fonts.RX_FACE, int(style.size * 2.0), True)
        page.write(xy, fonts.RX_SYMBOL, font, style.accent)
    else:
        page.write(xy, "Rx", style.label_font(1.6), style.accent)
    return xy[1] + style.size * 2.6


def medication_list(
    page: Page, rx: Prescription, style: Style, rng: random.Random, xy: tuple[float, float]
) -> float:
    x, y = xy
    font = style.font()
    width = page.width - page.margin - x
    indent = font.getlength("10. ")
    for i, med in enumerate(rx.medications):
        marker = medlines.marker_text(style.marker, i, style.body.bullet)
        if style.medication_format == "western":
            lines = medlines.western_lines(med, i, rng)
        elif style.medication_format == "two_line":
            lines = medlines.two_lines(med, i, rng, style.separator)
        else:
            lines = [medlines.one_line(med, i, rng, style.separator)]
        y = page.paragraph(
            (x, y), [(marker, None), *lines[0]], font, width, style.line_height, style.ink
        )
        for extra in lines[1:]:
            y = page.paragraph(
                (x + indent, y), extra, font, width - indent, style.line_height, style.ink
            )
        y += style.size * 0.35
    return y


def advice(page: Page, rx: Prescription, style: Style, rng: random.Random, y: float) -> float:
    entries = (
        (rx.lifestyle, "lifestyleAdvice", ("Advice:", "Adv:", "Instructions:", "General advice:")),
        (
            rx.investigations,
            "investigations",
            ("Investigations:", "Inv:", "Tests advised:", "Lab:"),
        ),
        (rx.follow_up, "followUpInstructions", ("Follow up:", "Review:", "Next visit:", "F/U:")),
    )
    for value, key, labels in entries:
        if value:
            y = labelled_paragraph(
                page, rng.choice(labels), value, f"advice.{key}", style, (page.margin, y)
            )
    return y


def signature(
    page: Page, rx: Prescription, style: Style, rng: random.Random, xy: tuple[float, float]
) -> float:
    """A scribble over the doctor's printed name, right-aligned at x."""
    x, y = xy
    signature_scribble(page, rng, (x - style.size * 7, y), style)
    y += style.size * 2.2
    lines: list[list[Part]] = [[(rx.doctor_name, _once(page, "doctorDetails.doctorName"))]]
    if rx.specialization:
        lines.append([(rx.specialization, _once(page, "doctorDetails.specialization"))])
    if rx.registration:
        path = _once(page, "doctorDetails.registrationNo")
        lines.append([(rx.registration_label + " ", None), (rx.registration, path)])
    font = style.font(0.9, header=True)
    if rng.random() < 0.35:
        # Left of the printed lines, so it never covers a value.
        widest = max(font.getlength("".join(p for p, _ in parts)) for parts in lines)
        stamp_at = (x - widest - style.size, y - style.size * 2.2)
        stamp(page, style, rng, stamp_at, [rx.doctor_name, rx.qualifications])
    for parts in lines:
        page.write((x, y), parts, font, style.accent if parts is lines[0] else (30, 30, 30), "ra")
        y += style.line_height
    return y


def _once(page: Page, path: str) -> str | None:
    """A value printed twice (header and signature) is the field only where first printed."""
    return None if path in page.fields else path


def signature_scribble(
    page: Page, rng: random.Random, xy: tuple[float, float], style: Style
) -> None:
    x, y = xy
    points = [
        (x + k * style.size * 0.5, y + rng.uniform(-0.6, 0.6) * style.size) for k in range(12)
    ]
    page.draw.line(points, fill=style.ink, width=max(2, style.size // 12), joint="curve")


def table(
    page: Page,
    style: Style,
    xy: tuple[float, float],
    widths: Sequence[float],
    rows: Sequence[Sequence[list[Part]]],
    header: Sequence[str] = (),
) -> float:
    """A ruled table; cells wrap inside their column. Returns the y below it."""
    x0, y = xy
    head_rows: list[Sequence[list[Part]]] = [[[(h, None)] for h in header]] if header else []
    for r, row in enumerate([*head_rows, *rows]):
        bold = bool(header) and r == 0
        font = style.label_font(0.85) if bold else style.font(0.9)
        y = _table_row(page, style, (x0, y), widths, row, font, bold)
    return y


def _table_row(
    page: Page,
    style: Style,
    xy: tuple[float, float],
    widths: Sequence[float],
    row: Sequence[list[Part]],
    font: ImageFont.FreeTypeFont,
    bold: bool,
) -> float:
    pad = style.size * 0.35
    wrapped = [cell_lines(cell, font, w - 2 * pad) for cell, w in zip(row, widths, strict=True)]
    height = max(len(lines) for lines in wrapped) * style.line_height + pad
    x, y = xy
    colour = style.accent if bold else style.ink
    for lines, width in zip(wrapped, widths, strict=True):
        page.draw.rectangle([x, y, x + width, y + height], outline=(60, 60, 60), width=2)
        for k, line in enumerate(lines):
            page.write((x + pad, y + pad + k * style.line_height), line, font, colour)
        x += width
    return y + height


def cell_lines(parts: list[Part], font: ImageFont.FreeTypeFont, width: float) -> list[list[Part]]:
    return wrap_parts(parts, font, width) or [[("", None)]]


def centred(
    page: Page, parts: list[Part] | str, font: ImageFont.FreeTypeFont, y: float, fill: Color
) -> float:
    """One centred line, shrunk until it fits between the margins."""
    text = parts if isinstance(parts, str) else "".join(p for p, _ in parts)
    room = page.width - 2 * page.margin
    while font.getlength(text) > room and font.size > 10:
        font = font.font_variant(size=font.size - 2)
    page.write((page.width / 2, y), parts, font, fill, "ma")
    return y + font.size * 1.35


def logo(page: Page, style: Style, xy: tuple[float, float], name: str) -> None:
    """A round emblem with the practice's initials; decoration, not a field."""
    initials = "".join(word[0] for word in name.split() if word[0].isalpha())[:3].upper()
    x, y = xy
    radius = style.size * 1.6
    page.draw.ellipse([x, y, x + 2 * radius, y + 2 * radius], outline=style.accent, width=4)
    font = style.label_font(0.9)
    page.write((x + radius, y + radius - style.size * 0.5), initials, font, style.accent, "ma")


_STAMP_INKS = ((90, 40, 170), (30, 60, 170), (150, 30, 90))


def stamp(
    page: Page, style: Style, rng: random.Random, xy: tuple[float, float], lines: list[str]
) -> None:
    """A rubber stamp, its top right corner at xy: a tilted, translucent box of capitals.
    Decoration, not a field."""
    font = fonts.load(fonts.PRINTED[0], int(style.size * 0.75), True)
    pad = style.size * 0.5
    width = int(max(font.getlength(line.upper()) for line in lines) + 2 * pad)
    height = int(len(lines) * style.size * 1.1 + 2 * pad)
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    ink = (*rng.choice(_STAMP_INKS), rng.randint(120, 190))
    draw.rounded_rectangle([2, 2, width - 3, height - 3], radius=pad, outline=ink, width=4)
    for k, line in enumerate(lines):
        draw.text((pad, pad + k * style.size * 1.1), line.upper(), font=font, fill=ink)
    layer = layer.rotate(rng.uniform(-18, 18), Image.Resampling.BILINEAR, expand=True)
    page.image.paste(layer, (int(xy[0]) - layer.width, int(xy[1])), layer)
