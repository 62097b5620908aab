"""`scriptsensei eval DIR`: score engines (and their consensus) on a sample set."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from scriptsensei.core.logging import configure_logging
from scriptsensei.core.settings import Settings, get_settings
from scriptsensei.evaluation.harness import evaluate
from scriptsensei.evaluation.report import as_table, write_reports
from scriptsensei.evaluation.samples import Sample, SampleSetError, load_samples
from scriptsensei.extraction.consensus import Thresholds
from scriptsensei.extraction.cpu_pool import shutdown_shared_pools
from scriptsensei.extraction.engine_runs import EngineSelectionError, select_engines
from scriptsensei.extraction.registry import build_registry


def _settings() -> Settings:
    try:
        settings = get_settings()
    except ValueError as exc:
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings)
    return settings


def _progress(number: int, total: int, sample: Sample) -> None:
    typer.echo(f"[{number}/{total}] {sample.name} ({sample.category})", err=True)


def eval_command(
    directory: Path = typer.Argument(..., help="Samples: NAME.png/.jpg/.pdf with NAME.json truth."),
    engine: list[str] = typer.Option(
        [], "--engine", "-e", help="Engine to evaluate (repeatable); default: every available one."
    ),
    report_dir: Path = typer.Option(
        None, "--report-dir", help="Where eval.json and eval.md go (default: DIR/reports)."
    ),
    limit: int = typer.Option(0, "--limit", help="Only the first N samples (0: all).", min=0),
) -> None:
    """Per engine and per field: accuracy, medication precision/recall, time per page, cost."""
    settings = _settings()
    try:
        samples = load_samples(directory, limit or None)
        engines = select_engines(build_registry(settings), engine)
    except (SampleSetError, EngineSelectionError) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None
    thresholds = Thresholds(settings.agreement_threshold, settings.confidence_threshold)
    try:
        evaluation = asyncio.run(evaluate(str(directory), samples, engines, thresholds, _progress))
    finally:
        shutdown_shared_pools()
    json_path, md_path = write_reports(evaluation, report_dir or directory / "reports")
    typer.echo(as_table(evaluation))
    typer.echo(f"\nReports: {json_path} {md_path}")


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
