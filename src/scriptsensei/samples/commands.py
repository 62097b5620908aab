"""`scriptsensei generate-samples`: synthetic prescriptions with known truth."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path

import typer

from scriptsensei.samples.dataset import SampleSetError, write_samples
from scriptsensei.samples.fonts import FontMissingError
from scriptsensei.samples.generator import SampleOptions


class ProfileChoice(StrEnum):
    clean = "clean"
    photo = "photo"
    rotated = "rotated"
    mixed = "mixed"


def generate_samples(
    out: Path = typer.Argument(
        ..., help="Directory to write the samples into (created if missing)."
    ),
    count: int = typer.Option(20, "--count", "-n", help="How many prescriptions to generate."),
    seed: int = typer.Option(0, "--seed", help="Same seed, same samples."),
    profile: ProfileChoice = typer.Option(
        ProfileChoice.mixed,
        "--profile",
        help="clean: printed pages as scanned; photo: every page photographed (skew, "
        "perspective, light, blur, noise, JPEG, some turned 90/180); rotated: clean pages "
        "turned 90/180/270; mixed: a share of photos.",
    ),
    degraded_share: float = typer.Option(
        0.5, "--degraded-share", help="Share of photos in the mixed profile."
    ),
    pdf_share: float = typer.Option(
        0.1, "--pdf-share", help="Share of samples written as a PDF page."
    ),
    handwriting_share: float = typer.Option(
        0.3, "--handwriting-share", help="Share of samples filled in with a handwriting-like font."
    ),
) -> None:
    """Render synthetic prescriptions: NAME.png/.jpg/.pdf, truth NAME.json, NAME.meta.json, manifest.json."""
    options = SampleOptions(profile.value, degraded_share, pdf_share, handwriting_share)  # type: ignore[arg-type]
    started = time.perf_counter()
    try:
        written = write_samples(out, count, seed, options)
    except (SampleSetError, FontMissingError) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None
    elapsed = time.perf_counter() - started
    degraded = sum(1 for w in written if w.degraded)
    typer.echo(
        f"Wrote {len(written)} samples ({degraded} degraded) to {out} in {elapsed:.1f} s "
        f"(seed {seed}, profile {profile.value})"
    )


def register(app: typer.Typer) -> None:
    app.command("generate-samples")(generate_samples)
