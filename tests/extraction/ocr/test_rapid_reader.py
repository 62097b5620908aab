"""RapidOCR reads the drawn prescription upright, turned, and as a phone photo."""

from __future__ import annotations

import pytest

from scriptsensei.extraction.ocr import rapid_reader
from scriptsensei.extraction.ocr.lines import OcrLine
from tests.extraction.ocr import reader_contract as contract
from tests.extraction.ocr.drawn import as_page


@pytest.fixture(scope="module")
def upright_lines() -> list[OcrLine]:
    return rapid_reader.read_page(as_page(contract.UPRIGHT))


def test_reads_clean_page_with_measured_confidences(upright_lines: list[OcrLine]) -> None:
    contract.check_clean_page(upright_lines)


def test_lines_come_in_reading_order(upright_lines: list[OcrLine]) -> None:
    contract.check_reading_order(upright_lines)


def test_boxes_of_one_row_are_joined_into_one_line(upright_lines: list[OcrLine]) -> None:
    texts = [line.text for line in upright_lines]
    assert any("Patient Name" in t and "Gender" in t for t in texts), texts


@pytest.mark.parametrize("clockwise", [90, 180, 270])
def test_turned_pages_read_as_well_and_boxes_map_back(
    upright_lines: list[OcrLine], clockwise: int
) -> None:
    contract.check_rotated_page(rapid_reader.read_page, upright_lines, clockwise)


def test_phone_photo_is_read() -> None:
    contract.check_photo(rapid_reader.read_page, minimum=0.9)


def test_blank_page_gives_no_lines() -> None:
    contract.check_blank_page(rapid_reader.read_page)


def test_version_names_library_runtime_and_models() -> None:
    assert rapid_reader.library_version().startswith("rapidocr-3.")
    assert "onnxruntime-" in rapid_reader.library_version()
