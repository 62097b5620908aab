"""Text boxes become lines: same row joined, columns kept apart, reading order."""

from __future__ import annotations

from scriptsensei.extraction.ocr.line_grouping import TextBox, group_into_lines


def _box(text: str, x0: float, y0: float, x1: float, y1: float, confidence: float = 0.9) -> TextBox:
    return TextBox(text, confidence, (x0, y0, x1, y1), (x0, y0, x1, y1))


def test_boxes_on_one_row_are_joined_left_to_right() -> None:
    lines = group_into_lines(
        [_box("Ravi Kumar", 200, 102, 330, 128), _box("Name:", 100, 100, 180, 126)], page=2
    )
    assert [line.text for line in lines] == ["Name: Ravi Kumar"]
    assert (lines[0].x0, lines[0].y0, lines[0].x1, lines[0].y1) == (100, 100, 330, 128)
    assert lines[0].page == 2


def test_rows_come_top_to_bottom() -> None:
    lines = group_into_lines(
        [_box("second", 100, 200, 200, 225), _box("first", 100, 100, 200, 125)], page=0
    )
    assert [line.text for line in lines] == ["first", "second"]


def test_a_wide_gap_separates_columns() -> None:
    lines = group_into_lines(
        [_box("Dr. Rao", 50, 100, 150, 125), _box("City Clinic", 700, 101, 850, 126)], page=0
    )
    assert [line.text for line in lines] == ["Dr. Rao", "City Clinic"]


def test_line_confidence_weighs_boxes_by_length() -> None:
    lines = group_into_lines(
        [_box("Paracetamol", 100, 100, 300, 125, 1.0), _box("x", 310, 100, 320, 125, 0.0)], page=0
    )
    assert lines[0].confidence == round(11 / 12, 4)


def test_no_boxes_no_lines() -> None:
    assert group_into_lines([], page=0) == []
