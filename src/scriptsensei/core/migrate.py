"""Running the versioned migrations safely, from any number of processes at once.

On PostgreSQL one process takes an advisory lock and migrates; the others wait for the
lock and then find nothing to do. On SQLite a lock file beside the database does the same.
"""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import structlog
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from scriptsensei.core.db import Database, is_sqlite_url

log = structlog.get_logger(__name__)

# Any fixed 64-bit number; it only has to be the same in every process of the app.
MIGRATION_LOCK_KEY = 0x5C417053_E4E51
MIGRATIONS_PACKAGE = "scriptsensei:migrations"


def alembic_config(script_location: str = MIGRATIONS_PACKAGE) -> Config:
    """`script_location`: the package's migrations, or (tests of a future release) a
    directory holding them plus newer revisions."""
    config = Config()
    config.set_main_option("script_location", script_location)
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@contextmanager
def _sqlite_file_lock(url: str) -> Iterator[None]:
    path = url.split("///", 1)[-1]
    if not path or path == ":memory:":
        yield
        return
    lock_path = Path(path + ".migrate-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield


def _upgrade_sync(connection: Connection, script_location: str) -> None:
    config = alembic_config(script_location)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _current_sync(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def _upgrade_postgres(conn: AsyncConnection, script_location: str) -> None:
    await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    try:
        await conn.run_sync(_upgrade_sync, script_location)
        await conn.commit()
    finally:
        await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
        await conn.commit()


async def upgrade(database: Database, script_location: str = MIGRATIONS_PACKAGE) -> str:
    """Bring the schema to the newest revision; returns that revision."""
    async with database.engine.connect() as conn:
        if database.is_postgres:
            await _upgrade_postgres(conn, script_location)
        else:
            with _sqlite_file_lock(database.url):
                await conn.run_sync(_upgrade_sync, script_location)
                await conn.commit()
        revision = await conn.run_sync(_current_sync)
    log.info("Migrations completed", revision=revision)
    return revision or ""


async def current_revision(database: Database) -> str | None:
    async with database.engine.connect() as conn:
        return await conn.run_sync(_current_sync)


def _diff_sync(connection: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def schema_differences(database: Database, metadata: MetaData) -> list[Any]:
    """What the database (after migrations) lacks or has beyond the models."""
    async with database.engine.connect() as conn:
        return await conn.run_sync(_diff_sync, metadata)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


__all__ = [
    "current_revision",
    "head_revision",
    "is_sqlite_url",
    "schema_differences",
    "upgrade",
]
