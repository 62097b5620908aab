"""Pages whose text is turned by a quarter or half turn read like upright ones."""

from __future__ import annotations

import pytest

from scriptsensei.extraction.lexicon import DrugLexicon
from scriptsensei.extraction.ocr.lines import OcrLine, PageGeometry
from scriptsensei.extraction.parser import parse_prescription
from scriptsensei.extraction.parser.orientation import detect_turn, to_page, to_reading
from tests.extraction.parser.factories import PAGE
from tests.extraction.parser.test_parse_prescription import _letterhead_page


def _turned(lines: list[OcrLine], turn: int) -> tuple[list[OcrLine], PageGeometry]:
    """The same page photographed turned: boxes move, the engine's reading order stays."""
    quarter = turn in (90, 270)
    width, height = (PAGE.height, PAGE.width) if quarter else (PAGE.width, PAGE.height)
    turned = []
    for line in lines:
        box = (
            line.x0 / PAGE.width,
            line.y0 / PAGE.height,
            line.x1 / PAGE.width,
            line.y1 / PAGE.height,
        )
        x0, y0, x1, y1 = to_page(box, turn)
        turned.append(
            OcrLine(line.text, line.confidence, 0, x0 * width, y0 * height, x1 * width, y1 * height)
        )
    return turned, PageGeometry(0, width, height)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_frames_round_trip(turn: int) -> None:
    box = (0.1, 0.2, 0.4, 0.25)
    assert to_reading(to_page(box, turn), turn) == pytest.approx(box)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_turn_is_detected_from_the_boxes(turn: int) -> None:
    lines, page = _turned(_letterhead_page(), turn)
    boxes = [
        (ln.x0 / page.width, ln.y0 / page.height, ln.x1 / page.width, ln.y1 / page.height)
        for ln in lines
    ]
    assert detect_turn(boxes, [ln.text for ln in lines]) == turn


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_turned_page_gives_the_upright_values_and_boxes_on_the_turned_page(
    lexicon: DrugLexicon, turn: int
) -> None:
    upright = {f.path: f for f in parse_prescription(_letterhead_page(), [PAGE], lexicon)}
    lines, page = _turned(_letterhead_page(), turn)
    turned = {f.path: f for f in parse_prescription(lines, [page], lexicon)}
    assert {p: f.value for p, f in turned.items()} == {p: f.value for p, f in upright.items()}
    date_up, date_turned = upright["patientDetails.date"].bbox, turned["patientDetails.date"].bbox
    assert date_up is not None and date_turned is not None
    expected = to_page((date_up.x0, date_up.y0, date_up.x1, date_up.y1), turn)
    assert (date_turned.x0, date_turned.y0, date_turned.x1, date_turned.y1) == pytest.approx(
        expected, abs=1e-3
    )


def test_few_lines_are_taken_as_upright() -> None:
    assert detect_turn([(0.1, 0.1, 0.12, 0.5)], ["Tall box"]) == 0


def test_turn_does_not_depend_on_the_engines_line_order() -> None:
    # an engine that misjudged the orientation returns its lines in reverse
    lines, page = _turned(_letterhead_page(), 0)
    boxes = [
        (ln.x0 / page.width, ln.y0 / page.height, ln.x1 / page.width, ln.y1 / page.height)
        for ln in lines
    ]
    texts = [ln.text for ln in lines]
    assert detect_turn(boxes[::-1], texts[::-1]) == 0
