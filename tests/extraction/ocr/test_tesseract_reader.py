"""Tesseract reads the drawn prescription upright, turned, and as a phone photo."""

from __future__ import annotations

import pytest

from scriptsensei.extraction.ocr import tesseract_reader
from scriptsensei.extraction.ocr.lines import OcrLine
from tests.extraction.ocr import reader_contract as contract
from tests.extraction.ocr.drawn import as_page


@pytest.fixture(scope="module")
def upright_lines() -> list[OcrLine]:
    return tesseract_reader.read_page(as_page(contract.UPRIGHT))


def test_reads_clean_page_with_measured_confidences(upright_lines: list[OcrLine]) -> None:
    contract.check_clean_page(upright_lines)


def test_lines_come_in_reading_order(upright_lines: list[OcrLine]) -> None:
    contract.check_reading_order(upright_lines)


@pytest.mark.parametrize("clockwise", [90, 180, 270])
def test_turned_pages_read_as_well_and_boxes_map_back(
    upright_lines: list[OcrLine], clockwise: int
) -> None:
    contract.check_rotated_page(tesseract_reader.read_page, upright_lines, clockwise)


def test_phone_photo_is_read_after_preprocessing() -> None:
    contract.check_photo(tesseract_reader.read_page, minimum=0.85)


@pytest.mark.parametrize("clockwise", [0, 90, 180, 270])
def test_turned_blurred_photo_on_a_table_is_read_and_boxes_map_back(
    upright_lines: list[OcrLine], clockwise: int
) -> None:
    # Small, blurred and seen at an angle: Tesseract's own orientation detection failed on
    # such photos, and without the surroundings blanked out it read the table as text.
    contract.check_photo_on_table(tesseract_reader.read_page, upright_lines, clockwise)


def test_blank_page_gives_no_lines() -> None:
    contract.check_blank_page(tesseract_reader.read_page)


def test_version_names_library_and_tesseract() -> None:
    assert tesseract_reader.library_version().startswith("tesseract-5.")
    assert "tesserocr-" in tesseract_reader.library_version()
