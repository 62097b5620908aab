"""`scriptsensei extract FILE`: real engines on real files, and every way it can be refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pillow_heif
import pytest
from typer.testing import CliRunner

from scriptsensei.cli import app
from scriptsensei.core.settings import get_settings
from tests.extraction.ocr.drawn import LINES, TRUTH, draw_page
from tests.fakes.openai_server import FakeOpenAIServer, unauthorized

runner = CliRunner()


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("SCRIPTSENSEI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SCRIPTSENSEI_LLM_ENGINES", "[]")
    monkeypatch.setenv("SCRIPTSENSEI_OCR_PROCESSES", "2")
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _extract(*args: str) -> tuple[int, Any, str]:
    result = runner.invoke(app, ["extract", *args])
    body = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result.exit_code, body, result.stderr


def test_png_with_both_local_engines(tmp_path: Path) -> None:
    path = tmp_path / "rx.png"
    draw_page().save(path)
    code, body, _ = _extract(str(path), "-e", "tesseract", "-e", "rapidocr")
    assert code == 0
    assert body["pages"] == 1 and set(body["engines"]) == {"tesseract", "rapidocr"}
    for result in body["engines"].values():
        assert result["extractedData"]["medications"][0]["drugName"] == "Paracetamol"
        assert 0 < result["confidence"]["medications.0.drugName"] <= 1
        assert result["durationMs"] > 0
        assert result["locations"]["medications.0.drugName"]["page"] == 0


def test_multi_page_pdf(tmp_path: Path) -> None:
    path = tmp_path / "rx.pdf"
    first, second = draw_page(LINES[:8]), draw_page(LINES[8:])
    first.save(path, "PDF", resolution=150, save_all=True, append_images=[second])
    code, body, _ = _extract(str(path), "--engine", "tesseract")
    assert code == 0
    assert body["pages"] == 2
    data = body["engines"]["tesseract"]["extractedData"]
    assert data["patientDetails"]["patientName"] == "Ravi Kumar"
    assert data["medications"][0]["drugName"] == "Paracetamol"
    assert body["engines"]["tesseract"]["locations"]["medications.0.drugName"]["page"] == 1


def test_heic_photo(tmp_path: Path) -> None:
    path = tmp_path / "rx.heic"
    pillow_heif.from_pillow(draw_page()).save(path, quality=90)
    code, body, _ = _extract(str(path), "-e", "tesseract", "--field", "medications")
    assert code == 0
    result = body["engines"]["tesseract"]
    assert result["extractedData"]["medications"][1]["drugName"] == "Amoxicillin"
    assert all(path.startswith("medications.") for path in result["confidence"])


def test_missing_file(tmp_path: Path) -> None:
    code, body, err = _extract(str(tmp_path / "nothing.png"))
    assert (code, body) == (2, None)
    assert "file not found" in err


def test_jpeg_photo(tmp_path: Path) -> None:
    path = tmp_path / "rx.jpg"
    draw_page().save(path, "JPEG", quality=85)
    code, body, _ = _extract(str(path), "-e", "tesseract")
    assert code == 0
    assert body["pages"] == 1
    data = body["engines"]["tesseract"]["extractedData"]
    assert data["patientDetails"]["patientName"] == "Ravi Kumar"
    assert [m["drugName"] for m in data["medications"]] == [
        "Paracetamol",
        "Amoxicillin",
        "Ambroxol",
    ]


def test_a_png_named_pdf_is_read_as_the_png_it_is(tmp_path: Path) -> None:
    path = tmp_path / "rx.pdf"
    draw_page().save(path, "PNG")
    code, body, err = _extract(str(path), "-e", "tesseract", "-f", "medications")
    assert code == 0, err
    assert body["pages"] == 1
    assert body["engines"]["tesseract"]["extractedData"]["medications"][0]["drugName"] == (
        "Paracetamol"
    )


def test_a_file_without_an_extension_is_read_by_its_content(tmp_path: Path) -> None:
    path = tmp_path / "scan-from-the-phone"
    draw_page().save(path, "JPEG", quality=85)
    code, body, err = _extract(str(path), "-e", "tesseract", "-f", "patientDetails")
    assert code == 0, err
    assert (
        body["engines"]["tesseract"]["extractedData"]["patientDetails"]["patientName"]
        == "Ravi Kumar"
    )


def test_unsupported_file(tmp_path: Path) -> None:
    path = tmp_path / "rx.txt"
    path.write_text("Tab. Paracetamol")
    code, _, err = _extract(str(path))
    assert code == 2 and "rx.txt is not a supported image or PDF" in err


def test_an_unsupported_image_type_named_png_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rx.png"
    draw_page().save(path, "GIF")
    code, body, err = _extract(str(path), "-e", "tesseract")
    assert (code, body) == (2, None)
    assert "rx.png is not a supported image or PDF" in err


def test_unknown_engine(tmp_path: Path) -> None:
    path = tmp_path / "rx.png"
    draw_page().save(path)
    code, _, err = _extract(str(path), "-e", "abbyy")
    assert code == 2
    assert "unknown engine 'abbyy'" in err and "tesseract" in err


def test_unavailable_engine_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCRIPTSENSEI_LLM_ENGINES")
    get_settings.cache_clear()
    path = tmp_path / "rx.png"
    draw_page().save(path)
    code, _, err = _extract(str(path), "-e", "openai")
    assert code == 2
    assert "engine 'openai' is not available" in err and "OPENROUTER_API_KEY" in err


def test_unknown_field(tmp_path: Path) -> None:
    path = tmp_path / "rx.png"
    draw_page().save(path)
    code, _, err = _extract(str(path), "-f", "patient.shoeSize")
    assert code == 2 and "unknown field patient.shoeSize" in err


def test_a_failing_engine_is_reported_and_the_exit_code_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rx.png"
    draw_page().save(path)
    with FakeOpenAIServer() as server:
        server.set_truth(TRUTH)
        server.enqueue(unauthorized())
        engines = [
            {
                "name": "gw",
                "model": "m",
                "base_url": server.base_url,
                "api_key_env": None,
                "requires_key": False,
                "max_retries": 0,
            }
        ]
        monkeypatch.setenv("SCRIPTSENSEI_LLM_ENGINES", json.dumps(engines))
        get_settings.cache_clear()
        code, body, _ = _extract(str(path), "-e", "gw")
    assert code == 1
    assert "401" in body["engines"]["gw"]["error"]
    assert body["engines"]["gw"]["transient"] is False
