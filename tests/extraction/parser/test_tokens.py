"""Repairs of OCR look-alikes before values are parsed."""

from __future__ import annotations

import pytest

from scriptsensei.extraction.parser.tokens import repair, repair_identifier, strip_marker


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("MCl-2013-39038", "MCI-2013-39038"),
        ("MR586C15", "MR586015"),
        ("MR993CC4", "MR993004"),
        ("15.C8.2C25", "15.08.2025"),
        ("OP-2025-693586", "OP-2025-693586"),
        ("12-Oct-2024", "12-Oct-2024"),
        ("KMC 12345", "KMC 12345"),
    ],
)
def test_identifier_look_alikes(read: str, meant: str) -> None:
    assert repair_identifier(read) == meant


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        (
            "Rotacap Budecort 2CC mcg I BD I \u00d7 7 days",
            "Rotacap Budecort 200 mcg BD \u00d7 7 days",
        ),
        ("Tab. Diclofenac 5C mg PO 1-C-1", "Tab. Diclofenac 50 mg PO 1-0-1"),
        ("3 IN) Diclofenac 75 mg", "3 INJ Diclofenac 75 mg"),
        ("Tab Pan 40 mg B0", "Tab Pan 40 mg BD"),
        ("Drops Ciplox C.3% QID x 1C days", "Drops Ciplox 0.3% QID x 10 days"),
    ],
)
def test_medication_line_look_alikes(read: str, meant: str) -> None:
    assert repair(read) == meant


def test_words_are_left_alone() -> None:
    text = "Cap Omez 20 mg OD before breakfast"
    assert repair(text) == text


@pytest.mark.parametrize(
    ("line", "rest"),
    [
        ("1. Tab X", "Tab X"),
        ("(2) Tab X", "Tab X"),
        ("• Tab X", "Tab X"),
        ("3 Tab X", "Tab X"),
        ("Tab X", "Tab X"),
    ],
)
def test_list_markers(line: str, rest: str) -> None:
    assert strip_marker(line)[0] == rest
