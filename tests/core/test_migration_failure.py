"""A migration that fails: its own error reaches the caller, the lock is released, and the
schema stays at the revision before it (PostgreSQL rolls the failed revision back)."""

from __future__ import annotations

import asyncio
import fcntl
from pathlib import Path

import asyncpg
import pytest

from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from tests.conftest import make_settings
from tests.support.releases import release_with

FAILS_HALF_WAY = """

def upgrade() -> None:
    op.execute("ALTER TABLE prescriptions ADD COLUMN half_done text")
    op.execute("ALTER TABLE table_missing_on_purpose ADD COLUMN courier_note text")


def downgrade() -> None:
    pass
"""


def release_with_failing_revision(directory: Path) -> Path:
    """The package's migrations plus revision 9999, which fails, on top of today's head."""
    return release_with(directory, "A release whose migration fails half-way.", FAILS_HALF_WAY)


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _advisory_lock_is_free(url: str, timeout: float = 10.0) -> bool:
    """True once another session can take the migration lock (then released again)."""
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            key = migrate.MIGRATION_LOCK_KEY
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
                await conn.execute("SELECT pg_advisory_unlock($1)", key)
                return True
            if asyncio.get_running_loop().time() > deadline:
                return False
            await asyncio.sleep(0.1)
    finally:
        await conn.close()


def _sqlite_lock_is_free(url: str) -> bool:
    lock_path = Path(url.split("///", 1)[1] + ".migrate-lock")
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


async def test_the_failing_migrations_own_error_surfaces_and_the_lock_is_released(
    database_url: str, tmp_path: Path
) -> None:
    script_location = str(release_with_failing_revision(tmp_path))
    db = Database(make_settings(database_url, tmp_path / "data"), database_url)
    try:
        with pytest.raises(Exception, match="table_missing_on_purpose") as raised:
            await migrate.upgrade(db, script_location)
        # Not an error about running the unlock on an aborted transaction instead.
        assert "aborted" not in str(raised.value).lower()
        if db.is_postgres:
            assert await _advisory_lock_is_free(database_url)
            # Transactional DDL: the half-applied revision left nothing behind.
            assert await migrate.current_revision(db) == migrate.head_revision()
            columns = await _prescription_columns(database_url)
            assert "half_done" not in columns
        else:
            assert _sqlite_lock_is_free(database_url)
        # The lock is usable again: the package's own migrations still run.
        assert await migrate.upgrade(db) == migrate.head_revision()
    finally:
        await db.dispose()


async def _prescription_columns(url: str) -> set[str]:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        rows = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'prescriptions'"
        )
        return {r["column_name"] for r in rows}
    finally:
        await conn.close()
