"""Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database.

PostgreSQL databases are cloned from a migrated template (fast), or created empty for
migration tests, and dropped afterwards. In CI (`CI=true`) an unreachable PostgreSQL is a
failure, never a skip.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest

PG_ADMIN_DSN = os.environ.get(
    "SCRIPTSENSEI_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def sqlalchemy_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


def dsn_for(database: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{database}"


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def admin_execute(sql: str) -> None:
    # A thread of its own, so it works from sync and async tests alike.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _admin(sql)).result()


_pg_reachable: bool | None = None


def postgres_reachable() -> bool:
    global _pg_reachable
    if _pg_reachable is None:
        try:
            admin_execute("SELECT 1")
            _pg_reachable = True
        except (OSError, asyncpg.PostgresError, TimeoutError):
            _pg_reachable = False
    return _pg_reachable


def require_postgres() -> None:
    if postgres_reachable():
        return
    message = f"PostgreSQL is not reachable at {PG_ADMIN_DSN}"
    if IN_CI:
        pytest.fail(message + " (CI must run the PostgreSQL tests)")
    pytest.skip(message)


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:10]}"


@contextmanager
def empty_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database; yields its SQLAlchemy URL."""
    require_postgres()
    name = unique_name("sstest")
    admin_execute(f'CREATE DATABASE "{name}"')
    try:
        yield sqlalchemy_url(dsn_for(name))
    finally:
        admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_from_template(template: str) -> Iterator[str]:
    require_postgres()
    name = unique_name("sstest")
    admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield sqlalchemy_url(dsn_for(name))
    finally:
        admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'scriptsensei.db'}"
