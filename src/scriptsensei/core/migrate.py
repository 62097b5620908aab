"""Running the versioned migrations safely, from any number of processes at once.

On PostgreSQL one process takes an advisory lock and migrates; the others wait for the
lock and then find nothing to do. On SQLite a lock file beside the database does the same.
"""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path
from typing import Any

import structlog
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
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


def is_known_revision(revision: str) -> bool:
    """Whether the package's migrations include `revision`."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:  # alembic's error for an unknown revision id
        return False


LOCK_WAIT_EVENT = "Waiting for the migration lock"


@contextmanager
def _sqlite_file_lock(url: str) -> Iterator[None]:
    path = url.split("///", 1)[-1]
    if not path or path == ":memory:":
        yield
        return
    lock_path = Path(path + ".migrate-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:  # the lock goes when the file closes
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info(LOCK_WAIT_EVENT, lock=str(lock_path))
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


async def _take_advisory_lock(conn: AsyncConnection) -> None:
    key = {"key": MIGRATION_LOCK_KEY}
    if not (await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), key)).scalar():
        log.info(LOCK_WAIT_EVENT, lock=f"pg_advisory_lock({MIGRATION_LOCK_KEY})")
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), key)


@asynccontextmanager
async def _migration_lock(database: Database, conn: AsyncConnection) -> AsyncIterator[None]:
    """Held by one process at a time, for the whole upgrade."""
    if not database.is_postgres:
        with _sqlite_file_lock(database.url):
            yield
        return
    await _take_advisory_lock(conn)
    try:
        yield
    except BaseException:
        # A failed statement aborts the transaction, so not even the unlock could run on
        # it (and its error would hide the migration's). Closing the connection ends the
        # session, which frees a session lock; the migration's own error goes on up (a
        # connection too broken to close has ended its session, and so its lock, anyway).
        with suppress(Exception):
            await conn.invalidate()
        raise
    await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    await conn.commit()


def _upgrade_sync(connection: Connection, script_location: str) -> None:
    config = alembic_config(script_location)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _current_sync(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(database: Database, script_location: str = MIGRATIONS_PACKAGE) -> str:
    """Bring the schema to the newest revision; returns that revision.

    The log line says whether this process migrated (`migrated=True`, from `previous`) or
    found the schema already there, e.g. after waiting for a process that migrated."""
    async with database.engine.connect() as conn, _migration_lock(database, conn):
        previous = await conn.run_sync(_current_sync)
        await conn.run_sync(_upgrade_sync, script_location)
        await conn.commit()
        revision = await conn.run_sync(_current_sync)
    log.info(
        "Migrations completed", revision=revision, previous=previous, migrated=revision != previous
    )
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
    "is_known_revision",
    "is_sqlite_url",
    "schema_differences",
    "upgrade",
]
