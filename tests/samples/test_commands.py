"""`scriptsensei generate-samples` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from scriptsensei.samples.commands import register


def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def noop() -> None:  # a second command keeps typer from collapsing the group
        """Unused."""

    return app


def test_generates_samples(tmp_path: Path) -> None:
    out = tmp_path / "set"
    result = CliRunner().invoke(
        cli(), ["generate-samples", str(out), "--count", "3", "--seed", "2", "--profile", "clean"]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 3 samples (0 degraded)" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["samples"]) == 3
    assert manifest["options"]["profile"] == "clean"


def test_photo_profile_degrades_every_sample(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli(),
        ["generate-samples", str(tmp_path), "-n", "2", "--profile", "photo", "--pdf-share", "0"],
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 2 samples (2 degraded)" in result.output


def test_count_zero_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli(), ["generate-samples", str(tmp_path), "--count", "0"])
    assert result.exit_code == 2
    assert "count must be at least 1" in result.output


def test_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(
        cli(), ["generate-samples", str(tmp_path / "file" / "out"), "-n", "1"]
    )
    assert result.exit_code == 2
    assert "cannot write samples to" in result.output


def test_unknown_profile_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli(), ["generate-samples", str(tmp_path), "--profile", "sepia"])
    assert result.exit_code == 2
    assert "sepia" in result.output


def test_command_is_registered_in_the_main_cli() -> None:
    from scriptsensei.cli import app

    result = CliRunner().invoke(app, ["generate-samples", "--help"])
    assert result.exit_code == 0, result.output
    assert "--profile" in result.output and "--degraded-share" in result.output
