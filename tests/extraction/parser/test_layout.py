"""Grouping OCR boxes into rows and columns, and boxes as fractions of the page."""

from __future__ import annotations

import pytest

from scriptsensei.extraction.ocr.lines import OcrLine, PageGeometry
from scriptsensei.extraction.parser.layout import build_rows, part_box
from tests.extraction.parser.factories import PAGE, create_line


def test_boxes_on_one_baseline_form_one_row_read_left_to_right() -> None:
    rows = build_rows(
        [
            create_line("Age: 34", 400, 102),
            create_line("Name: Ravi", 50, 100),
            create_line("Sex: M", 700, 98),
        ],
        [PAGE],
    )
    assert len(rows) == 1
    assert [s.text for s in rows[0].segments] == ["Name: Ravi", "Age: 34", "Sex: M"]


def test_lines_one_under_another_are_separate_rows_in_reading_order() -> None:
    rows = build_rows(
        [
            create_line("second", 50, 140),
            create_line("first", 50, 100),
            create_line("third", 50, 180),
        ],
        [PAGE],
    )
    assert [r.text for r in rows] == ["first", "second", "third"]


def test_boxes_barely_overlapping_in_height_do_not_share_a_row() -> None:
    rows = build_rows([create_line("upper", 50, 100), create_line("lower", 400, 118)], [PAGE])
    assert len(rows) == 2


def test_pages_are_read_in_order() -> None:
    pages = [PAGE, PageGeometry(1, 1000, 1400)]
    rows = build_rows(
        [create_line("page two", 50, 10, page=1), create_line("page one", 50, 900)], pages
    )
    assert [(r.page, r.text) for r in rows] == [(0, "page one"), (1, "page two")]


def test_blank_boxes_are_ignored_and_whitespace_collapsed() -> None:
    rows = build_rows([create_line("   ", 50, 10), create_line("Tab.  Dolo   650", 50, 50)], [PAGE])
    assert [r.text for r in rows] == ["Tab. Dolo 650"]


def test_coordinates_become_fractions_of_the_page_and_are_clamped() -> None:
    line = OcrLine("edge", 0.9, 0, -20, 700, 1200, 724)
    segment = build_rows([line], [PAGE])[0].segments[0]
    assert (segment.x0, segment.x1) == (0.0, 1.0)
    assert segment.y0 == pytest.approx(0.5)


def test_part_box_follows_the_characters() -> None:
    segment = build_rows([create_line("Name: Ravi", 100, 100)], [PAGE])[0].segments[0]
    box = part_box(segment, 6, 10)
    assert box.x0 == pytest.approx(0.16)
    assert box.x1 == pytest.approx(0.2)
