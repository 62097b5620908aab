"""`scriptsensei guard status` and `scriptsensei guard confirm`."""

from __future__ import annotations

import asyncio

import typer

from scriptsensei.core.commands import load_settings
from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.guard.service import GuardVerdict, adopt, evaluate

guard_app = typer.Typer(help="The data-loss guard checked at start-up.", no_args_is_help=True)


async def _run(confirm: bool) -> tuple[GuardVerdict, str | None]:
    settings = load_settings()
    db = Database(settings)
    try:
        async with unit_of_work(db) as session:
            verdict = await evaluate(session, settings.storage_dir)
            instance = await adopt(session, settings.storage_dir) if confirm else None
        return verdict, instance
    finally:
        await db.dispose()


@guard_app.command("status")
def status() -> None:
    """Say whether the database and the file store belong together."""
    verdict, _ = asyncio.run(_run(confirm=False))
    if verdict.safe:
        typer.echo("OK: the database and the file store belong together.")
        return
    typer.echo(f"ENGAGED: {verdict.reason}", err=True)
    raise typer.Exit(1)


@guard_app.command("confirm")
def confirm() -> None:
    """Accept the current database as the right one for this file store (restart the app
    afterwards, or confirm through the API as an admin)."""
    verdict, instance = asyncio.run(_run(confirm=True))
    if not verdict.safe:
        typer.echo(f"Was engaged: {verdict.reason}")
    typer.echo(f"Confirmed: file store tied to database instance {instance}.")


def register(app: typer.Typer) -> None:
    app.add_typer(guard_app, name="guard")
