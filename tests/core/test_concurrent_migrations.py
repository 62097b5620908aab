"""Several processes starting at once: exactly one schema, nobody fails."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from scriptsensei.core.db import Database
from tests.conftest import make_settings
from tests.support import databases


def _upgrade_processes(
    url: str, data_dir: Path, count: int
) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "SCRIPTSENSEI_DATABASE_URL": url, "SCRIPTSENSEI_DATA_DIR": str(data_dir)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "scriptsensei", "db", "upgrade"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def _version_rows(url: str, data_dir: Path) -> list[str]:
    async def fetch() -> list[str]:
        db = Database(make_settings(url, data_dir), url)
        try:
            async with db.engine.connect() as conn:
                rows = await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
                return [r[0] for r in rows]
        finally:
            await db.dispose()

    return asyncio.run(fetch())


@pytest.mark.postgres
def test_three_processes_migrate_one_postgres_database(tmp_path: Path) -> None:
    with databases.empty_postgres_database() as url:
        results = _upgrade_processes(url, tmp_path, 3)
        for result in results:
            assert result.returncode == 0, result.stderr
        assert _version_rows(url, tmp_path) == ["0001"]


def test_three_processes_migrate_one_sqlite_database(tmp_path: Path) -> None:
    url = databases.sqlite_url(tmp_path)
    results = _upgrade_processes(url, tmp_path, 3)
    for result in results:
        assert result.returncode == 0, result.stderr
    assert _version_rows(url, tmp_path) == ["0001"]
