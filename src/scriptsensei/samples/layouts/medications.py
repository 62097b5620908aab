"""Medication lines as prescribers write them, as parts tagged with their field paths."""

from __future__ import annotations

import random

from scriptsensei.extraction.fields import medication_path
from scriptsensei.samples.content import MedicationLine
from scriptsensei.samples.page import Part
from scriptsensei.samples.style import ListMarker

_SHORT_ROUTES = ("PO", "IV", "IM", "SC", "L/A")


def marker_text(marker: ListMarker, index: int, bullet: str) -> str:
    return {
        "numbered": f"{index + 1}. ",
        "bullet": f"{bullet} ",
        "plain": "",
        "dash": "- ",
    }[marker]


def name_parts(med: MedicationLine, i: int, form_first: bool = True) -> list[Part]:
    """`Tab. Dolo 650 mg`: form, name and strength."""
    parts: list[Part] = []
    if form_first:
        parts += [*form_parts(med, i), (" ", None)]
    parts.append((med.drug, medication_path(i, "drugName")))
    if med.strength:
        parts += [(" ", None), (med.strength, medication_path(i, "strength"))]
    return parts


def form_parts(med: MedicationLine, i: int) -> list[Part]:
    # The abbreviation dot is punctuation, not part of the value.
    dot = med.form[len(med.formulation) :]
    parts: list[Part] = [(med.formulation, medication_path(i, "formulation"))]
    return parts + ([(dot, None)] if dot else [])


def schedule_parts(
    med: MedicationLine, i: int, rng: random.Random, separator: str, with_dose: bool
) -> list[Part]:
    """`1 tab BD x 5 days (after food)`."""
    parts: list[Part] = [(med.dose + " ", None)] if with_dose else []
    parts.append((med.frequency, medication_path(i, "frequency")))
    if med.duration:
        lead = rng.choice(("x ", "for ", "x ", ""))
        parts += [(separator + lead, None), (med.duration, medication_path(i, "duration"))]
    if med.instructions:
        opening, closing = rng.choice(((" (", ")"), (separator, ""), (", ", "")))
        parts += [(opening, None), (med.instructions, medication_path(i, "specialInstructions"))]
        parts += [(closing, None)] if closing else []
    return parts


def one_line(med: MedicationLine, i: int, rng: random.Random, separator: str) -> list[Part]:
    parts = name_parts(med, i)
    if med.route in _SHORT_ROUTES and rng.random() < 0.35:
        parts += [(" ", None), (med.route, medication_path(i, "route"))]
    return [*parts, (separator, None), *schedule_parts(med, i, rng, separator, False)]


def two_lines(med: MedicationLine, i: int, rng: random.Random, separator: str) -> list[list[Part]]:
    second = schedule_parts(med, i, rng, " ", rng.random() < 0.4)
    return [name_parts(med, i), second]


def western_lines(med: MedicationLine, i: int, rng: random.Random) -> list[list[Part]]:
    """`Amoxicillin 500 mg capsule` / `Take 1 cap by mouth three times daily for 7 days`."""
    first = [*name_parts(med, i, form_first=False), (" ", None), *form_parts(med, i)]
    second: list[Part] = [(rng.choice(("Take ", "Sig: ", "")) + med.dose + " ", None)]
    if med.route:
        second += [(med.route, medication_path(i, "route")), (" ", None)]
    second.append((med.frequency, medication_path(i, "frequency")))
    if med.duration:
        second += [(" for ", None), (med.duration, medication_path(i, "duration"))]
    if med.instructions:
        second += [(", ", None), (med.instructions, medication_path(i, "specialInstructions"))]
    return [first, second]


def table_cells(med: MedicationLine, i: int) -> list[list[Part]]:
    """Cells of a medication table: #, medicine, route, frequency, duration, instructions."""

    def cell(value: str | None, key: str) -> list[Part]:
        return [(value, medication_path(i, key))] if value else [("-", None)]

    return [
        [(f"{i + 1}", None)],
        name_parts(med, i),
        cell(med.route, "route"),
        cell(med.frequency, "frequency"),
        cell(med.duration, "duration"),
        cell(med.instructions, "specialInstructions"),
    ]
