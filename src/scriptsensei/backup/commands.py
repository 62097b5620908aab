"""`scriptsensei backup [--output DIR]`, `backup verify ARCHIVE`, `restore ARCHIVE [--force]`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from scriptsensei.backup.create import apply_retention, create_backup
from scriptsensei.backup.history import run_recorded
from scriptsensei.backup.restore import RestoreError, restore_backup
from scriptsensei.backup.verify import verify_archive
from scriptsensei.core.commands import load_settings
from scriptsensei.core.db import Database

backup_app = typer.Typer(
    help="Back up the database and stored files into one verified archive.",
    invoke_without_command=True,
)


@backup_app.callback()
def backup(
    ctx: typer.Context,
    output: Path = typer.Option(None, "--output", "-o", help="Directory for the archive."),
) -> None:
    """Take a backup now (works while the app runs)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings()

    async def take() -> Path:
        db = Database(settings)
        try:
            run = await run_recorded(db, "manual", lambda: create_backup(settings, output))
        finally:
            await db.dispose()
        return Path(run.path or "")

    path = asyncio.run(take())
    removed = apply_retention(path.parent, settings.backup_keep)
    typer.echo(f"Backup written: {path}")
    if removed:
        typer.echo(f"Removed {len(removed)} older archive(s) (keeping {settings.backup_keep})")


@backup_app.command("verify")
def verify(archive: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Check the manifest and every checksum without restoring anything."""
    report = verify_archive(archive)
    if report.ok and report.manifest is not None:
        m = report.manifest
        typer.echo(
            f"OK: {report.checked_files} members checked; {m.backend} database at revision "
            f"{m.schema_revision}, {sum(m.row_counts.values())} rows, taken {m.created_at}"
        )
        return
    typer.echo(f"FAILED: {archive}", err=True)
    for problem in report.problems:
        typer.echo(f"  {problem}", err=True)
    raise typer.Exit(1)


def restore(
    archive: Path = typer.Argument(..., exists=True, dir_okay=False),
    force: bool = typer.Option(False, help="Replace a non-empty database (after a safety backup)."),
) -> None:
    """Restore an archive into the configured database and file store. Stop the app first."""
    settings = load_settings()
    try:
        report = asyncio.run(restore_backup(settings, archive, force=force))
    except RestoreError as exc:
        typer.echo(f"Restore refused: {exc}", err=True)
        raise typer.Exit(1) from None
    if report.safety_backup:
        typer.echo(f"Safety backup of the replaced data: {report.safety_backup}")
    if report.migrated_from:
        typer.echo(f"Migrated from revision {report.migrated_from} to {report.schema_revision}")
    rows = sum(report.row_counts.values())
    typer.echo(
        f"Restored {rows} rows and {report.restored_files} files; counts and checksums verified."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(backup_app, name="backup")
    app.command("restore")(restore)
