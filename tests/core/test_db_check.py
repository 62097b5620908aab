"""`scriptsensei db check`, run as a command: it passes on a migrated database and fails,
saying what differs, when the models, the migrations or the database disagree."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from scriptsensei.cli import app
from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from scriptsensei.core.settings import get_settings
from scriptsensei.models import Base
from tests.conftest import make_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "SCRIPTSENSEI_DATABASE_URL": url,
        "SCRIPTSENSEI_DATA_DIR": str(tmp_path / "data"),
        "SCRIPTSENSEI_LOG_FORMAT": "console",
    }


def _check(url: str, tmp_path: Path) -> Result:
    return runner.invoke(app, ["db", "check"], env=_env(url, tmp_path))


def _execute(url: str, tmp_path: Path, *statements: str) -> None:
    async def run() -> None:
        db = Database(make_settings(url, tmp_path / "data"), url)
        try:
            async with db.engine.begin() as conn:
                for statement in statements:
                    await conn.execute(sa.text(statement))
        finally:
            await db.dispose()

    asyncio.run(run())


def test_passes_on_a_migrated_database(database_url: str, tmp_path: Path) -> None:
    result = _check(database_url, tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("Models and migrations agree.")


def test_fails_on_a_database_altered_by_hand(database_url: str, tmp_path: Path) -> None:
    index = sorted(ix.name for ix in Base.metadata.tables["prescriptions"].indexes if ix.name)[0]
    _execute(
        database_url,
        tmp_path,
        "ALTER TABLE prescriptions ADD COLUMN added_by_hand TEXT",
        f"DROP INDEX {index}",
    )
    result = _check(database_url, tmp_path)
    assert result.exit_code == 1, result.output
    assert "Models and migrations disagree" in result.stderr
    assert "remove_column prescriptions.added_by_hand" in result.stderr
    assert f"add_index prescriptions.{index}" in result.stderr
    assert "agree." not in result.stdout


# A model that is not in the migrations: a new table and a new column on an existing one,
# registered on the application's metadata before the command runs (in a process of its
# own, so the metadata of the test process stays as shipped).
ALTERED_MODELS = textwrap.dedent(
    """
    import sqlalchemy as sa
    from sqlalchemy.orm import Mapped, mapped_column

    from scriptsensei.cli import app
    from scriptsensei.models import Base


    class CourierPickup(Base):
        __tablename__ = "courier_pickups"
        id: Mapped[int] = mapped_column(primary_key=True)


    Base.metadata.tables["prescriptions"].append_column(sa.Column("courier_note", sa.Text()))
    app(["db", "check"])
    """
)


def test_fails_when_a_model_is_not_in_the_migrations(database_url: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", ALTERED_MODELS],
        env={**os.environ, **_env(database_url, tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "Models and migrations disagree" in result.stderr
    assert "add_table courier_pickups" in result.stderr
    assert "add_column prescriptions.courier_note" in result.stderr


def test_an_empty_database_is_not_at_the_newest_revision(empty_url: str, tmp_path: Path) -> None:
    result = _check(empty_url, tmp_path)
    assert result.exit_code == 1, result.output
    head = migrate.head_revision()
    assert f"not at the newest revision {head}: it has no schema yet" in result.stderr
    assert "scriptsensei db upgrade" in result.stderr


def test_a_revision_from_a_newer_release_is_not_the_newest_here(
    database_url: str, tmp_path: Path
) -> None:
    _execute(database_url, tmp_path, "UPDATE alembic_version SET version_num = '9999'")
    result = _check(database_url, tmp_path)
    assert result.exit_code == 1, result.output
    assert "at revision 9999, which this code does not know" in result.stderr
    assert "db upgrade" not in result.stderr  # upgrading with older code cannot help
    assert "Models and migrations" not in result.output
