"""Consistent dumps and restores of the database, for each backend.

PostgreSQL: `pg_dump` in custom format, run inside a snapshot exported by a
REPEATABLE READ transaction; row counts and the storage keys the rows reference are read
in that same snapshot, so the manifest describes exactly what the dump holds.
SQLite: the online backup API copies a consistent image while the app runs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

TABLES_WITH_KEYS = {"documents": "storage_key", "document_pages": "storage_key"}


class DumpError(RuntimeError):
    """pg_dump, pg_restore or SQLite failed; the message carries their own words."""


@dataclass
class DumpResult:
    row_counts: dict[str, int]
    referenced_keys: list[str]
    revision: str | None


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DumpError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def libpq_args(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password travels in the environment."""
    parsed = make_url(url)
    args = ["--host", parsed.host or "127.0.0.1", "--port", str(parsed.port or 5432)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return [*args, "--dbname", parsed.database or "postgres"], env


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise DumpError(f"{tool} is not installed (Debian package postgresql-client)")
    return path


# --- reading counts and keys ----------------------------------------------------------


async def _pg_counts_and_keys(conn: asyncpg.Connection) -> DumpResult:
    tables = [
        r["tablename"]
        for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    ]
    counts = {t: int(await conn.fetchval(f'SELECT count(*) FROM "{t}"')) for t in sorted(tables)}  # noqa: S608 - table names come from the catalogue
    keys: list[str] = []
    for table, column in TABLES_WITH_KEYS.items():
        if table in tables:
            keys += [r[0] for r in await conn.fetch(f'SELECT "{column}" FROM "{table}"')]  # noqa: S608 - table names come from the catalogue
    revision = None
    if "alembic_version" in tables:
        revision = await conn.fetchval("SELECT version_num FROM alembic_version")
    return DumpResult(counts, sorted(set(keys)), revision)


def sqlite_counts_and_keys(path: Path) -> DumpResult:
    with sqlite3.connect(path) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # noqa: S608 - catalogue names
            for t in sorted(tables)
        }
        keys: list[str] = []
        for table, column in TABLES_WITH_KEYS.items():
            if table in tables:
                keys += [r[0] for r in conn.execute(f'SELECT "{column}" FROM "{table}"')]  # noqa: S608 - table names come from the catalogue
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    return DumpResult(counts, sorted(set(keys)), revision)


async def postgres_counts_and_keys(url: str) -> DumpResult:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await _pg_counts_and_keys(conn)
    finally:
        await conn.close()


# --- dumping ----------------------------------------------------------------------------


async def dump_postgres(url: str, target: Path) -> DumpResult:
    pg_dump = _require("pg_dump")
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            result = await _pg_counts_and_keys(conn)
            args, env = libpq_args(url)
            cmd = [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", *args]
            await asyncio.to_thread(_run, cmd, env)
    finally:
        await conn.close()
    return result


def dump_sqlite(url: str, target: Path) -> DumpResult:
    source = sqlite3.connect(sqlite_path(url))
    try:
        with sqlite3.connect(target) as destination:
            source.backup(destination)
    finally:
        source.close()
    return sqlite_counts_and_keys(target)


def _run(cmd: list[str], env: dict[str, str]) -> None:
    completed = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tool, our arguments
    if completed.returncode != 0:
        raise DumpError(f"{Path(cmd[0]).name} failed: {completed.stderr.strip()[:500]}")


# --- restoring --------------------------------------------------------------------------


async def reset_postgres_schema(url: str) -> None:
    """Empty the database so a full restore recreates every object as it was."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def restore_postgres(url: str, dump: Path) -> None:
    pg_restore = _require("pg_restore")
    await reset_postgres_schema(url)
    args, env = libpq_args(url)
    cmd = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", *args, str(dump)]
    await asyncio.to_thread(_run, cmd, env)


def restore_sqlite(url: str, dump: Path) -> None:
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(dump) as source, sqlite3.connect(target) as destination:
        source.backup(destination)  # replaces every page of the target, under its lock
