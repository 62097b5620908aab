"""The review page's rows: where each value is on the page. OCR engines' own boxes are kept;
vision LLM values and the consensus are placed where their text is among the OCR lines of
the same run, or not at all."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from scriptsensei.extraction.ocr.lines import OcrLine
from scriptsensei.models import (
    EngineRun,
    ExtractionResult,
    FieldConsensus,
    Prescription,
    ProcessingRun,
)
from scriptsensei.review.service import ReviewView
from scriptsensei.web.review_view import FieldRow, Place, bbox_attr, field_groups

LINES = [
    OcrLine("Patient Name: Divya Kulkarni", 0.9, 0, 100, 300, 1500, 340),
    OcrLine("1 Tab. Sertraline 50 mg TDS", 0.9, 0, 100, 700, 1000, 740),
    OcrLine("2 Tab. Rabeprazole 20 mg TDS", 0.9, 0, 100, 760, 1000, 800),
]
NAME_BOX = {"x0": 0.2, "y0": 0.14, "x1": 0.5, "y1": 0.16}


def _run(name: str, run_id: str, raw: Any) -> EngineRun:
    return EngineRun(
        id=f"er-{name}-{run_id}", processing_run_id=run_id, engine_name=name, raw_output=raw
    )


def _value(
    engine: str, run_id: str, path: str, value: str | None, bbox: Any = None
) -> ExtractionResult:
    return ExtractionResult(
        model_name=engine,
        field_name=path,
        extracted_value=value,
        confidence=0.9,
        engine_run_id=f"er-{engine}-{run_id}",
        page=0 if bbox else None,
        bbox=bbox,
    )


def _view(
    results: list[ExtractionResult], consensus: dict[str, str], run_id: str = "run-2"
) -> ReviewView:
    prescription = Prescription(
        id="rx-1", file_name="rx.png", file_size="1", extracted_data={}, page_count=1
    )
    raw = {"lines": [asdict(line) for line in LINES]}
    runs = [
        (
            ProcessingRun(id="run-1"),
            [_run("tesseract", "run-1", {"lines": []}), _run("vision", "run-1", {})],
        ),
        (
            ProcessingRun(id="run-2"),
            [_run("tesseract", "run-2", raw), _run("vision", "run-2", {"reply": "{}"})],
        ),
    ]
    rows = [
        FieldConsensus(field_name=path, value=value, status="agreed", needs_review=False)
        for path, value in consensus.items()
    ]
    return ReviewView(prescription, runs, rows, results, [])


def _rows(view: ReviewView) -> dict[str, FieldRow]:
    return {row.path: row for group in field_groups(view) for row in group.rows}


def test_an_llm_value_is_placed_where_the_ocr_lines_show_it() -> None:
    results = [
        _value("tesseract", "run-2", "patientDetails.patientName", "Divya Kulkarni", NAME_BOX),
        _value("vision", "run-2", "patientDetails.patientName", "Divya Kulkarny"),
    ]
    row = _rows(_view(results, {"patientDetails.patientName": "Divya Kulkarni"}))[
        "patientDetails.patientName"
    ]
    found = row.readings["vision"].place
    assert found is not None and found.found and found.page == 0
    assert found.box[1] == 300 and found.box[3] == 340  # on the patient's line, in pixels
    assert 100 < found.box[0] < found.box[2] <= 1500  # the name ends the line
    ocr = row.readings["tesseract"].place
    assert ocr == Place(0, (0.2, 0.14, 0.5, 0.16))  # the OCR engine's own box, kept
    assert row.consensus_place == ocr  # the same value as the OCR engine: its box


def test_a_value_that_is_not_on_the_page_gets_no_box() -> None:
    results = [
        _value("tesseract", "run-2", "patientDetails.patientName", "Divya Kulkarni", NAME_BOX),
        _value("vision", "run-2", "patientDetails.age", "44 Y"),
        _value("vision", "run-2", "patientDetails.gender", None),
    ]
    rows = _rows(_view(results, {}))
    assert rows["patientDetails.age"].readings["vision"].place is None
    assert rows["patientDetails.gender"].readings["vision"].place is None
    assert bbox_attr(rows["patientDetails.age"].readings["vision"]) == {}


def test_medication_values_are_looked_for_near_their_medication_only() -> None:
    results = [
        _value("vision", "run-2", "medications.1.drugName", "Rabeprazole"),
        _value("vision", "run-2", "medications.1.frequency", "TDS"),
        _value("vision", "run-2", "medications.0.frequency", "TDS"),  # its drug was not read
    ]
    rows = _rows(_view(results, {}))
    second = rows["medications.1.frequency"].readings["vision"].place
    assert second is not None and second.box[1] == 760
    assert rows["medications.0.frequency"].readings["vision"].place is None


def test_only_the_lines_of_the_run_the_values_come_from_are_searched() -> None:
    results = [_value("vision", "run-1", "patientDetails.patientName", "Divya Kulkarni")]
    row = _rows(_view(results, {}))["patientDetails.patientName"]
    assert row.readings["vision"].place is None  # run-1's OCR read no lines


def test_highlight_attributes_carry_the_page_the_box_and_its_unit() -> None:
    assert bbox_attr(Place(1, (0.1, 0.2, 0.3, 0.4))) == {
        "page": 1,
        "box": "0.1000,0.2000,0.3000,0.4000",
    }
    found = Place(0, (100.0, 300.0, 640.25, 340.0), found=True)
    assert bbox_attr(found) == {"page": 0, "box": "100.0,300.0,640.2,340.0", "unit": "px"}
    assert bbox_attr(None) == {}
