"""`scriptsensei eval DIR`: engines scored on a sample set, reports written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scriptsensei.cli import app
from scriptsensei.core.settings import get_settings
from tests.extraction.ocr.drawn import TRUTH, draw_page, photo_of
from tests.fakes.openai_server import FakeOpenAIServer, TruthIndex, TruthReply

runner = CliRunner()


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    directory = tmp_path / "samples"
    directory.mkdir()
    draw_page().save(directory / "rx-1.png")
    photo_of(draw_page()).save(directory / "rx-2.jpg")
    for name in ("rx-1", "rx-2"):
        (directory / f"{name}.json").write_text(json.dumps(TRUTH))
    (directory / "rx-2.meta.json").write_text(json.dumps({"degraded": True}))
    return directory


@pytest.fixture
def llm_server(samples: Path) -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(truth=TruthIndex.from_dir(samples), default=TruthReply(0.3)) as server:
        yield server


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("SCRIPTSENSEI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SCRIPTSENSEI_LLM_ENGINES", "[]")
    monkeypatch.setenv("SCRIPTSENSEI_OCR_PROCESSES", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _use_llm_engines(monkeypatch: pytest.MonkeyPatch, server: FakeOpenAIServer) -> None:
    engines = [
        {
            "name": name,
            "model": f"fake/{name}",
            "base_url": server.base_url,
            "api_key_env": None,
            "requires_key": False,
            "input_price_per_mtok": 1.0,
            "output_price_per_mtok": 4.0,
        }
        for name in ("alpha", "beta")
    ]
    monkeypatch.setenv("SCRIPTSENSEI_LLM_ENGINES", json.dumps(engines))
    get_settings.cache_clear()


def test_scores_engines_and_their_consensus(
    samples: Path, llm_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _use_llm_engines(monkeypatch, llm_server)
    reports = tmp_path / "reports"
    result = runner.invoke(
        app, ["eval", str(samples), "-e", "alpha", "-e", "beta", "--report-dir", str(reports)]
    )
    assert result.exit_code == 0, result.output
    assert "consensus" in result.stdout and "med R" in result.stdout
    report = json.loads((reports / "eval.json").read_text())
    assert report["samples"] == 2 and report["engines"] == ["alpha", "beta", "consensus"]
    for name in ("alpha", "beta"):
        summary = report["summary"][name]
        # The server misreads about 30% of values, so accuracy is high but not perfect.
        assert 0.4 < summary["fieldAccuracy"] < 1.0
        assert set(summary["byCategory"]) == {"photo", "unknown"}
        assert summary["costUsd"] > 0 and summary["errors"] == 0
    assert report["fields"]["alpha"]["medications.drugName"]["counted"] >= 6
    assert report["perSample"][0]["engines"]["alpha"]["misses"]
    markdown = (reports / "eval.md").read_text()
    assert "| consensus |" in markdown and "## Accuracy per field" in markdown


def test_local_engine_on_a_page(samples: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    result = runner.invoke(
        app, ["eval", str(samples), "-e", "tesseract", "--limit", "1", "--report-dir", str(reports)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((reports / "eval.json").read_text())["summary"]
    assert list(summary) == ["tesseract"]  # one engine: no consensus
    assert summary["tesseract"]["fieldAccuracy"] >= 0.8
    assert summary["tesseract"]["medicationRecall"] == 1.0
    assert summary["tesseract"]["meanSecondsPerPage"] > 0
    assert summary["tesseract"]["costUsd"] is None


def test_refuses_a_directory_without_samples(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", str(tmp_path)])
    assert result.exit_code == 2 and "no samples" in result.stderr


def test_refuses_an_unknown_engine(samples: Path) -> None:
    result = runner.invoke(app, ["eval", str(samples), "-e", "nope"])
    assert result.exit_code == 2 and "unknown engine 'nope'" in result.stderr
