"""`scriptsensei extract FILE`: run engines on one file and print the result as JSON."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import typer

from scriptsensei.core.logging import configure_logging
from scriptsensei.core.settings import Settings, get_settings
from scriptsensei.extraction.cpu_pool import shutdown_shared_pools
from scriptsensei.extraction.engine import EngineError, EngineResult, ExtractionSettings
from scriptsensei.extraction.engine_runs import (
    EngineSelectionError,
    result_json,
    run_engines,
    select_engines,
)
from scriptsensei.extraction.fields import is_valid_selector
from scriptsensei.extraction.pages import PageDecodeError, load_file
from scriptsensei.extraction.registry import build_registry


def _settings() -> Settings:
    try:
        settings = get_settings()
    except ValueError as exc:
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings)
    return settings


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(2)


def extract(
    file: Path = typer.Argument(..., help="PNG, JPEG, WebP, TIFF, HEIC or PDF (any page count)."),
    engine: list[str] = typer.Option(
        [], "--engine", "-e", help="Engine to run (repeatable); default: every available one."
    ),
    field: list[str] = typer.Option(
        [], "--field", "-f", help="Only these fields: a group (vitals) or a path (repeatable)."
    ),
) -> None:
    """Read one prescription with the chosen engines and print their results as JSON."""
    settings = _settings()
    unknown = [f for f in field if not is_valid_selector(f)]
    if unknown:
        raise _fail(f"unknown field {', '.join(unknown)} (use a group such as 'vitals' or a path)")
    try:
        pages = load_file(
            file,
            max_pages=settings.max_pages_per_document,
            max_pixels=settings.max_image_pixels,
        )
        engines = select_engines(build_registry(settings), engine)
    except (PageDecodeError, EngineSelectionError) as exc:
        raise _fail(str(exc)) from None
    try:
        outcomes = asyncio.run(run_engines(engines, pages, ExtractionSettings(tuple(field))))
    finally:
        shutdown_shared_pools()
    typer.echo(json.dumps(_document(file, len(pages), outcomes), indent=2, ensure_ascii=False))
    if any(isinstance(o, EngineError) for o in outcomes.values()):
        raise typer.Exit(1)


def _document(
    file: Path, page_count: int, outcomes: dict[str, EngineResult | EngineError]
) -> dict[str, Any]:
    return {
        "file": str(file),
        "pages": page_count,
        "engines": {name: result_json(outcome) for name, outcome in outcomes.items()},
    }


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
