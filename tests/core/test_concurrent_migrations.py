"""Several processes starting at once: one migrates, the others wait for it, nobody fails.

The test holds the migration lock itself while three `db upgrade` processes start, so all
three really contend for it (each logs that it waits); then it lets go. Their logs must
show exactly one process migrating from an empty database and two finding the schema
already at the newest revision, and the database must hold one schema and one default
configuration.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa

from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from scriptsensei.models import Base
from tests.conftest import make_settings

PROCESSES = 3


@dataclass
class UpgradeProcess:
    proc: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def log_events(self) -> list[dict[str, Any]]:
        events = []
        for line in self.stderr.read_text().splitlines():
            if line.startswith("{"):
                events.append(json.loads(line))
        return events

    def logged(self, event: str) -> list[dict[str, Any]]:
        return [e for e in self.log_events() if e.get("event") == event]


def _start_upgrades(url: str, work_dir: Path, count: int) -> list[UpgradeProcess]:
    env = {
        **os.environ,
        "SCRIPTSENSEI_DATABASE_URL": url,
        "SCRIPTSENSEI_DATA_DIR": str(work_dir / "data"),
        "SCRIPTSENSEI_LOG_FORMAT": "json",
        "SCRIPTSENSEI_LOG_LEVEL": "INFO",
    }
    started = []
    for number in range(count):
        stdout, stderr = work_dir / f"upgrade-{number}.out", work_dir / f"upgrade-{number}.err"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "scriptsensei", "db", "upgrade"],
                env=env,
                stdout=out,
                stderr=err,
            )
        started.append(UpgradeProcess(proc, stdout, stderr))
    return started


async def _wait_until_all_wait(processes: list[UpgradeProcess], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not all(p.logged(migrate.LOCK_WAIT_EVENT) for p in processes):
        ended = [p for p in processes if p.proc.poll() is not None]
        assert not ended, f"a process ended while the lock was held: {ended[0].stderr.read_text()}"
        assert time.monotonic() < deadline, "the processes never waited for the lock"
        await asyncio.sleep(0.1)


@asynccontextmanager
async def _postgres_lock_held(url: str) -> AsyncIterator[None]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", migrate.MIGRATION_LOCK_KEY)
        yield
    finally:
        await conn.close()  # ends the session, and so its lock


@asynccontextmanager
async def _sqlite_lock_held(url: str) -> AsyncIterator[None]:
    lock_path = Path(url.split("///", 1)[1] + ".migrate-lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


async def _database_state(url: str, data_dir: Path) -> dict[str, Any]:
    db = Database(make_settings(url, data_dir), url)
    try:
        async with db.engine.connect() as conn:
            versions = await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            configs = await conn.execute(sa.text("SELECT name, is_default FROM extraction_configs"))
            tables = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
            return {
                "versions": [r[0] for r in versions],
                "configs": [(r[0], bool(r[1])) for r in configs],
                "tables": tables,
                "differences": await migrate.schema_differences(db, Base.metadata),
            }
    finally:
        await db.dispose()


async def test_three_processes_one_migrates_the_others_wait(
    db_backend: str, empty_url: str, tmp_path: Path
) -> None:
    hold = _postgres_lock_held if db_backend == "postgres" else _sqlite_lock_held
    async with hold(empty_url):
        processes = _start_upgrades(empty_url, tmp_path, PROCESSES)
        try:
            await _wait_until_all_wait(processes)
        except BaseException:
            for process in processes:
                process.proc.kill()
            raise
    codes = [await asyncio.to_thread(p.proc.wait, 120) for p in processes]
    stderr = [p.stderr.read_text() for p in processes]
    assert codes == [0] * PROCESSES, stderr

    head = migrate.head_revision()
    completed = [p.logged("Migrations completed") for p in processes]
    assert all(len(events) == 1 for events in completed), stderr
    outcomes = sorted((e[0]["migrated"], e[0]["previous"], e[0]["revision"]) for e in completed)
    # One process found the database empty and migrated it; the two that waited for it
    # found the schema already at the newest revision and changed nothing.
    assert outcomes == [(False, head, head), (False, head, head), (True, None, head)]
    for process in processes:
        assert process.stdout.read_text().strip() == f"Schema at revision {head}"
        assert all(e["level"] == "info" for e in process.log_events()), process.stderr

    state = await _database_state(empty_url, tmp_path / "data")
    assert state["versions"] == [head]
    assert state["tables"] == {*Base.metadata.tables, "alembic_version"}
    assert state["differences"] == []
    assert state["configs"] == [("Default Configuration", True)]
