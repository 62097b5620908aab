"""Finding a value among OCR lines: exact and tolerant matches, the part of a line a value
takes, hints that tell repeated values apart, and no box whenever the place is unsure."""

from __future__ import annotations

import pytest

from scriptsensei.extraction.ocr.lines import OcrLine
from scriptsensei.web.value_location import Box, LineIndex, lines_from_raw, locate, value_words

PATIENT = OcrLine("Patient Name: Divya Kulkarni  Age: 44 Y", 0.9, 0, 100, 300, 1300, 340)
DOCTOR = OcrLine("Dr. R. Balaji, MD", 0.9, 0, 1200, 100, 1540, 140)
MED_1 = OcrLine("1 Tab. Sertraline 50 mg TDS", 0.9, 0, 100, 700, 1000, 740)
MED_2 = OcrLine("2 Tab. Rabeprazole 20 mg TDS", 0.9, 0, 100, 760, 1000, 800)
FOOTER = OcrLine("Divya Kulkarni", 0.9, 1, 100, 2000, 500, 2040)


def _share(line: OcrLine, fragment: str) -> tuple[float, float]:
    """The x range a fragment of the line takes when the box is shared by characters."""
    start = line.text.index(fragment)
    width = (line.x1 - line.x0) / len(line.text)
    return line.x0 + width * start, line.x0 + width * (start + len(fragment))


def test_an_exact_value_gets_the_part_of_the_line_its_characters_take() -> None:
    box = locate("Divya Kulkarni", [DOCTOR, PATIENT, MED_1])
    x0, x1 = _share(PATIENT, "Divya Kulkarni")
    assert box == Box(0, pytest.approx(x0), 300, pytest.approx(x1), 340)


def test_case_punctuation_and_spacing_do_not_matter() -> None:
    assert locate("DIVYA  kulkarni.", [PATIENT]) == locate("Divya Kulkarni", [PATIENT])
    assert locate("44-Y", [PATIENT]) is not None


def test_a_misread_value_is_found_where_it_is_written() -> None:
    box = locate("Divya Kulkarn", [DOCTOR, PATIENT])  # a dropped letter
    assert box is not None and box.y0 == PATIENT.y0
    assert locate("Sertraline 51 mg", [MED_1]) is not None  # a changed digit


def test_a_value_that_is_not_on_the_page_has_no_box() -> None:
    assert locate("Metformin 500 mg", [PATIENT, MED_1, MED_2]) is None
    assert locate("Priya Sharma", [PATIENT]) is None
    assert locate(None, [PATIENT]) is None
    assert locate("Divya Kulkarni", []) is None


def test_words_match_whole_or_as_a_misreading() -> None:
    assert locate("ulk", [PATIENT]) is None  # inside a word, and too short to be a misreading
    assert locate("Kulkarni Age", [PATIENT]) is not None  # whole words, across a wide gap


def test_short_values_match_exactly_or_not_at_all() -> None:
    assert locate("Y", [PATIENT]) is None  # one character is everywhere
    assert locate("MD", [DOCTOR]) is not None
    assert locate("MX", [DOCTOR]) is None  # too short to tolerate a misreading


def test_a_value_split_over_boxes_of_one_row_gets_their_union() -> None:
    words = [
        OcrLine("Name:", 0.9, 0, 100, 300, 220, 340),
        OcrLine("Kulkarni", 0.9, 0, 420, 302, 600, 338),  # listed out of order
        OcrLine("Divya", 0.9, 0, 260, 301, 400, 339),
    ]
    assert locate("Divya Kulkarni", words) == Box(0, 260, 301, 600, 339)


def test_a_value_wrapped_onto_the_next_line_spans_both() -> None:
    lines = [
        OcrLine("Adv: Walk 30 minutes daily, Steam", 0.9, 0, 100, 900, 800, 940),
        OcrLine("inhalation twice daily", 0.9, 0, 100, 950, 560, 990),
    ]
    box = locate("Steam inhalation twice daily", lines)
    assert box is not None and box.y0 == 900 and box.y1 == 990


def test_repeated_values_need_a_hint_and_take_the_place_nearest_it() -> None:
    lines = [MED_1, MED_2]
    assert locate("TDS", lines) is None  # twice on the page: which one cannot be told
    near_second = locate("Rabeprazole", lines)
    box = locate("TDS", lines, near=near_second)
    assert box is not None and box.y0 == MED_2.y0
    assert locate("Tab", lines, near=locate("Sertraline", lines)) == Box(
        0,
        pytest.approx(_share(MED_1, "Tab.")[0]),
        700,
        pytest.approx(_share(MED_1, "Tab.")[1]),
        740,
    )


def test_a_place_far_from_the_hint_is_not_the_value() -> None:
    hint = Box(0, 100, 1500, 400, 1540)  # far below every line
    assert locate("Sertraline", [MED_1, MED_2], near=hint) is None
    assert locate("Sertraline", [MED_1, MED_2], near=Box(1, 100, 700, 400, 740)) is None


def test_pages_are_searched_each_on_their_own() -> None:
    box = locate("Divya Kulkarni", [FOOTER])
    assert box == Box(1, 100, 2000, 500, 2040)
    assert locate("Divya Kulkarni", [PATIENT, FOOTER]) is None  # on both pages
    assert locate("Divya Kulkarni", [PATIENT, FOOTER], near=Box(1, 0, 1990, 50, 2030)) == box


def test_a_line_that_runs_down_a_turned_page_gives_its_whole_box() -> None:
    turned = OcrLine("Patient Name: Divya Kulkarni", 0.9, 0, 100, 200, 140, 1400)
    assert locate("Divya Kulkarni", [turned]) == Box(0, 100, 200, 140, 1400)


def test_one_index_answers_many_values_alike() -> None:
    index = LineIndex([DOCTOR, PATIENT, MED_1, MED_2])
    first = index.find("Divya Kulkarni")
    assert first is not None and first.score == 100
    assert index.find("divya kulkarni") == first
    tolerant = index.find("Divya Kulkarny")
    assert tolerant is not None and 80 <= tolerant.score < 100


def test_stored_lines_are_read_and_anything_else_gives_none() -> None:
    raw = {
        "lines": [
            {"text": "Rx", "confidence": 0.8, "page": 0, "x0": 1, "y0": 2, "x1": 30, "y1": 20},
            {"text": "no box", "page": 0},
            {"text": "upside", "page": 0, "x0": 5, "y0": 9, "x1": 1, "y1": 2},
            {"text": 12, "page": 0, "x0": 1, "y0": 2, "x1": 30, "y1": 20},
            {"text": "flag", "page": True, "x0": 1, "y0": 2, "x1": 30, "y1": 20},
            "not a line",
        ]
    }
    assert lines_from_raw(raw) == [OcrLine("Rx", 0.8, 0, 1.0, 2.0, 30.0, 20.0)]
    assert lines_from_raw({"reply": "{}", "model": "fake"}) == []
    assert lines_from_raw(None) == []
    assert lines_from_raw({"lines": "text"}) == []


def test_value_words_fold_like_the_comparison_of_engines() -> None:
    assert value_words("Tab. Amoxicillin 625mg, 1-0-1") == [
        "tab",
        "amoxicillin",
        "625mg",
        "1",
        "0",
        "1",
    ]
    assert value_words(None) == []
