"""Core commands: `serve` and the `db` group (upgrade, current, check)."""

from __future__ import annotations

import asyncio
from typing import Any

import typer

from scriptsensei.core import migrate
from scriptsensei.core.db import Database, wait_for_database
from scriptsensei.core.logging import configure_logging
from scriptsensei.core.settings import Settings, get_settings, settings_reference

db_app = typer.Typer(help="Database schema: versioned migrations.", no_args_is_help=True)


def load_settings() -> Settings:
    try:
        settings = get_settings()
    except ValueError as exc:
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings)
    return settings


async def _with_database(settings: Settings, action: Any) -> Any:
    db = Database(settings)
    try:
        return await action(db)
    finally:
        await db.dispose()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (safe to run any number of times)."""
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    revision = asyncio.run(_with_database(settings, migrate.upgrade))
    typer.echo(f"Schema at revision {revision}")


@db_app.command("wait")
def db_wait(
    timeout: float = typer.Option(60.0, help="Give up after this many seconds."),
) -> None:
    """Wait until the database accepts connections (used by the container start-up)."""
    settings = load_settings()
    try:
        waited = asyncio.run(_with_database(settings, lambda db: wait_for_database(db, timeout)))
    except TimeoutError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Database reachable after {waited:.1f}s")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision of the database and the newest one this code knows."""
    settings = load_settings()
    revision = asyncio.run(_with_database(settings, migrate.current_revision))
    typer.echo(f"current: {revision or 'none (empty database)'}")
    typer.echo(f"head:    {migrate.head_revision()}")


@db_app.command("check")
def db_check() -> None:
    """Fail when the models and the migrations disagree (run after `db upgrade`)."""
    from scriptsensei.models import Base

    settings = load_settings()

    async def check(db: Database) -> list[Any]:
        problem = revision_problem(await migrate.current_revision(db), migrate.head_revision())
        if problem:
            typer.echo(problem, err=True)
            raise typer.Exit(1)
        return await migrate.schema_differences(db, Base.metadata)

    differences = asyncio.run(_with_database(settings, check))
    if differences:
        typer.echo(
            "Models and migrations disagree (add_*: in the models but not in the migrated "
            "database; remove_*: in the database but not in the models):",
            err=True,
        )
        for diff in differences:
            typer.echo(f"  {describe_difference(diff)}", err=True)
        raise typer.Exit(1)
    typer.echo("Models and migrations agree.")


def revision_problem(current: str | None, head: str) -> str | None:
    """Why the schema cannot be compared with the models, or None when it is at `head`."""
    if current == head:
        return None
    if current is not None and not migrate.is_known_revision(current):
        return (
            f"The database is at revision {current}, which this code does not know (its "
            f"newest is {head}): a newer release migrated it; check it with that release."
        )
    where = "it has no schema yet" if current is None else f"it is at {current}"
    return (
        f"The database is not at the newest revision {head}: {where}. "
        "Run `scriptsensei db upgrade` first."
    )


def describe_difference(diff: Any) -> str:
    """One of Alembic's differences as `kind table.name`, e.g. `add_column rx.note`."""
    if isinstance(diff, list):  # the modify_* changes of one column
        return "; ".join(describe_difference(d) for d in diff)
    kind = diff[0]
    if kind in ("add_column", "remove_column"):
        return f"{kind} {diff[2]}.{diff[3].name}"
    if kind.startswith("modify_"):
        return f"{kind} {diff[2]}.{diff[3]}: database {diff[5]!r}, models {diff[6]!r}"
    item = diff[1]
    table = getattr(getattr(item, "table", None), "name", None)
    name = getattr(item, "name", None) or str(item)
    return f"{kind} {table}.{name}" if table and table != name else f"{kind} {name}"


def serve(
    host: str = typer.Option(None, help="Interface to listen on (default from settings)."),
    port: int = typer.Option(None, help="Port (default from settings, 5000)."),
) -> None:
    """Serve the web app and API (migrations run first; workers run inside by default)."""
    import uvicorn

    settings = load_settings()
    uvicorn.run(
        "scriptsensei.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
    )


def config_reference() -> None:
    """Print the configuration reference (Markdown) generated from the settings."""
    typer.echo(HEADER + settings_reference())


HEADER = """# Configuration reference

Generated by `scriptsensei config-reference` from the settings object; every variable can
also be set in a `.env` file in the working directory. Lists and objects are JSON, e.g.
`SCRIPTSENSEI_LOCAL_ENGINES='["tesseract"]'`.

"""


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("config-reference")(config_reference)
    app.add_typer(db_app, name="db")
