"""`scriptsensei eval DIR`: engines scored on a sample set, reports written."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scriptsensei.cli import app
from scriptsensei.core.settings import get_settings
from scriptsensei.extraction.fields import flatten
from scriptsensei.extraction.normalize import normalize_value
from scriptsensei.samples import SampleOptions, generate_sample, sample_rng
from scriptsensei.samples.dataset import write_sample
from tests.extraction.ocr.drawn import TRUTH, draw_page, photo_of
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    RecordedRequest,
    Response,
    TruthIndex,
    TruthReply,
    json_reply,
)

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


def _use_llm_engines(
    monkeypatch: pytest.MonkeyPatch,
    server: FakeOpenAIServer,
    models: dict[str, str] | None = None,
) -> None:
    """Engines alpha and beta on `server`; `models` gives their model ids (two engines with
    one model id read every page alike: the fake misreads per model and field)."""
    models = models or {name: f"fake/{name}" for name in ("alpha", "beta")}
    engines = [
        {
            "name": name,
            "model": model,
            "base_url": server.base_url,
            "api_key_env": None,
            "requires_key": False,
            "input_price_per_mtok": 1.0,
            "output_price_per_mtok": 4.0,
        }
        for name, model in models.items()
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


# --- the consensus figures, on a small generated set ----------------------------------------

SUMMARY_FIGURES = ("fieldAccuracy", "fieldsCounted", "medicationPrecision", "medicationRecall")


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    directory = tmp_path / "generated"
    directory.mkdir()
    options = SampleOptions(profile="clean", pdf_share=0.0, handwriting_share=0.0)
    for index in range(3):
        write_sample(directory, generate_sample(sample_rng(21, index), index, options))
    return directory


def _truths(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(directory.glob("rx-?????.json"))]


def _evaluate(directory: Path, reports: Path) -> tuple[dict[str, Any], dict[str, list[str]]]:
    result = runner.invoke(
        app, ["eval", str(directory), "-e", "alpha", "-e", "beta", "--report-dir", str(reports)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((reports / "eval.json").read_text())
    assert report["engines"] == ["alpha", "beta", "consensus"]
    return report, _table_rows(result.stdout)


def _table_rows(stdout: str) -> dict[str, list[str]]:
    """The printed table: engine name -> its cells."""
    lines = stdout.split("\n\nReports:")[0].strip().splitlines()
    header = re.split(r"\s{2,}", lines[0].strip())
    rows = {}
    for line in lines[2:]:
        cells = re.split(r"\s{2,}", line.strip())
        assert len(cells) == len(header), line
        rows[cells[0]] = dict(zip(header, cells, strict=True))
    return {name: [row["fields"], row["med P"], row["med R"]] for name, row in rows.items()}


def test_the_consensus_of_identical_engines_scores_what_they_score(
    generated: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    truth = TruthIndex.from_dir(generated)
    with FakeOpenAIServer(truth=truth, default=TruthReply(error_rate=0.3)) as server:
        _use_llm_engines(monkeypatch, server, {"alpha": "fake/twin", "beta": "fake/twin"})
        report, table = _evaluate(generated, tmp_path / "reports")
    summary = report["summary"]
    figures = {name: {k: summary[name][k] for k in SUMMARY_FIGURES} for name in summary}
    # Misreads are real (about 30% of values), so equal figures are not trivially 100%.
    assert 0.4 < figures["alpha"]["fieldAccuracy"] < 0.95
    assert figures["alpha"]["fieldsCounted"] > 100
    assert all(
        isinstance(figures["alpha"][k], float) for k in SUMMARY_FIGURES if k != "fieldsCounted"
    )
    assert figures["consensus"] == figures["alpha"] == figures["beta"]
    assert report["fields"]["consensus"] == report["fields"]["alpha"]
    for sample in report["perSample"]:
        engines = sample["engines"]
        assert engines["consensus"]["accuracy"] == engines["alpha"]["accuracy"] is not None
        assert engines["consensus"]["medications"] == engines["alpha"]["medications"]
    # The consensus pays for both engines.
    costs = (summary["alpha"]["costUsd"], summary["beta"]["costUsd"])
    assert summary["consensus"]["costUsd"] == pytest.approx(sum(costs), abs=2e-6)
    assert table["consensus"] == table["alpha"] == table["beta"]


@dataclass
class KnownMistakes:
    """Answers each page's truth with two known mistakes: a wrong patient name and the
    last medication left out."""

    def respond(self, request: RecordedRequest, server: FakeOpenAIServer) -> Response:
        return json_reply(with_known_mistakes(server.truth_for(request))).respond(request, server)


WRONG_NAME = "Zzyzx Qwerty"


def with_known_mistakes(truth: dict[str, Any]) -> dict[str, Any]:
    reading = copy.deepcopy(truth)
    reading["patientDetails"]["patientName"] = WRONG_NAME
    reading["medications"] = reading["medications"][:-1]
    return reading


def _filled(flat: dict[str, str | None]) -> int:
    return sum(1 for path, value in flat.items() if normalize_value(path, value) is not None)


def test_known_mistakes_give_known_figures_for_engines_and_consensus(
    generated: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    truths = _truths(generated)
    assert len(truths) == 3
    fields = sum(_filled(flatten(t)) for t in truths)
    medications = sum(len(t["medications"]) for t in truths)
    left_out = sum(_filled(flatten({"medications": [t["medications"][-1]]})) for t in truths)
    assert all(t["patientDetails"]["patientName"] for t in truths)

    with FakeOpenAIServer(truth=TruthIndex.from_dir(generated), default=KnownMistakes()) as server:
        _use_llm_engines(monkeypatch, server)
        report, table = _evaluate(generated, tmp_path / "reports")
        assert len(server.chat_requests) == 2 * len(truths)  # no retries, no unmatched page

    expected = {
        "fieldAccuracy": round((fields - len(truths) - left_out) / fields, 4),
        "fieldsCounted": fields,
        "medicationPrecision": 1.0,
        "medicationRecall": round((medications - len(truths)) / medications, 4),
    }
    for name in ("alpha", "beta", "consensus"):
        summary = report["summary"][name]
        assert {k: summary[k] for k in SUMMARY_FIGURES} == expected, name
        assert report["fields"][name]["patientDetails.patientName"] == {
            "accuracy": 0.0,
            "counted": len(truths),
        }
    percent = f"{100 * expected['fieldAccuracy']:.1f}%"
    recall = f"{100 * expected['medicationRecall']:.1f}%"
    assert table["consensus"] == [percent, "100.0%", recall]
