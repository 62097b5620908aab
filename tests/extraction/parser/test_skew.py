"""A photo taken slightly turned: cells of one row drift down across the page."""

from __future__ import annotations

from scriptsensei.extraction.lexicon import DrugLexicon
from scriptsensei.extraction.ocr.lines import OcrLine
from scriptsensei.extraction.parser import parse_prescription
from scriptsensei.extraction.parser.layout import build_rows, to_segment
from scriptsensei.extraction.parser.skew import row_slope
from tests.extraction.parser.factories import PAGE, create_line

SLOPE = 0.03  # pixels down per pixel across (about 1.7 degrees): with rows 30 px apart, a
# row's last cell overlaps the next row more than its own


def _table(slope: float) -> list[OcrLine]:
    rows = [
        ("1 Tab Aspirin 150 mg", "by mouth 0-1-0 after breakfast"),
        ("2 Drops Moxifloxacin 0.5%", "Ear BD 1 month in both eyes"),
        ("3 Inj Diclofenac 75 mg", "SC OD 7 days in 100 ml NS"),
        ("4 Tab Ecosprin 75 mg", "by mouth 1-0-1 5 days with water"),
    ]
    lines = []
    for i, cells in enumerate(rows):
        for x, text in zip((50, 700), cells, strict=True):
            lines.append(create_line(text, x, 300 + 30 * i + slope * x))
    return lines


def test_slope_is_measured_from_cells_side_by_side() -> None:
    segments = [s for row in build_rows(_table(0.0), [PAGE]) for s in row.segments]
    assert row_slope(segments) == 0.0
    slope = row_slope([to_segment(line, PAGE) for line in _table(SLOPE)])
    assert abs(slope - SLOPE * PAGE.width / PAGE.height) < 0.005


def test_skewed_table_rows_keep_their_cells(lexicon: DrugLexicon) -> None:
    values = {f.path: f.value for f in parse_prescription(_table(SLOPE), [PAGE], lexicon)}
    assert values["medications.1.drugName"] == "Moxifloxacin"
    assert values["medications.1.frequency"] == "BD"
    assert values["medications.1.specialInstructions"] == "in both eyes"
    assert values["medications.2.route"] == "SC"
    assert values["medications.3.frequency"] == "1-0-1"


def test_boxes_of_a_skewed_page_stay_on_the_page_as_given(lexicon: DrugLexicon) -> None:
    fields = {f.path: f for f in parse_prescription(_table(SLOPE), [PAGE], lexicon)}
    box = fields["medications.3.specialInstructions"].bbox
    assert box is not None
    line = _table(SLOPE)[-1]
    assert abs(box.y0 - line.y0 / PAGE.height) < 0.01
