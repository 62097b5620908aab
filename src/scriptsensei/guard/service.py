"""Deciding whether the database and the file store still belong together.

The database keeps an instance id (in `app_state`); the file store keeps a marker file
with the same id and the newest schema revision it has seen. At start-up:
- marker present, database without that id (empty or replaced) -> suspicious;
- no marker, but stored files and an empty database -> suspicious;
- marker revision newer than the database's revision (an older backup put back by hand,
  or an older image) -> suspicious;
- otherwise the marker is brought up to date.
The revision is the database's own (its `alembic_version`), read whether or not this
process ran the migrations.
A suspicious start serves reads but refuses writes until an operator confirms.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.models import AppState, Document, Prescription
from scriptsensei.models.types import utcnow

MARKER_NAME = ".scriptsensei-instance.json"
INSTANCE_KEY = "instance_id"


@dataclass(frozen=True)
class GuardVerdict:
    safe: bool
    reason: str | None = None


def read_marker(storage_dir: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((storage_dir / MARKER_NAME).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return data


def write_marker(storage_dir: Path, instance_id: str, revision: str | None) -> None:
    storage_dir.mkdir(parents=True, exist_ok=True)
    temp = storage_dir / (MARKER_NAME + ".tmp")
    temp.write_text(json.dumps({"instance_id": instance_id, "revision": revision}))
    os.replace(temp, storage_dir / MARKER_NAME)


def stored_files_exist(storage_dir: Path) -> bool:
    originals = storage_dir / "originals"
    return originals.is_dir() and any(p.is_file() for p in originals.rglob("*"))


async def database_instance_id(session: AsyncSession) -> str | None:
    row = await session.get(AppState, INSTANCE_KEY)
    return str(row.value) if row is not None else None


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def database_revision(session: AsyncSession) -> str | None:
    connection = await session.connection()
    return await connection.run_sync(_revision_of)


async def database_is_empty(session: AsyncSession) -> bool:
    prescriptions = await session.scalar(select(func.count()).select_from(Prescription))
    documents = await session.scalar(select(func.count()).select_from(Document))
    return not prescriptions and not documents


def _revision_order(revision: str | None) -> int:
    # Our revision ids are zero-padded numbers ("0001"), so they order as integers.
    return int(revision) if revision and revision.isdigit() else -1


async def evaluate(session: AsyncSession, storage_dir: Path) -> GuardVerdict:
    marker = read_marker(storage_dir)
    revision = await database_revision(session)
    instance = await database_instance_id(session)
    if marker is not None and marker.get("instance_id") != instance:
        return GuardVerdict(
            False,
            "the file store belongs to another database (its instance id is not in this "
            "database): the database may have been replaced or wiped",
        )
    if marker is None and stored_files_exist(storage_dir) and await database_is_empty(session):
        return GuardVerdict(False, "the database is empty but the file store holds uploaded files")
    if marker is not None and _revision_order(marker.get("revision")) > _revision_order(revision):
        return GuardVerdict(
            False,
            f"the database schema ({revision}) is older than the newest this file store has "
            f"seen ({marker.get('revision')}): an older database may have been put back",
        )
    return GuardVerdict(True)


async def adopt(session: AsyncSession, storage_dir: Path) -> str:
    """Tie the file store to this database at its current revision (after a safe start, a
    restore, or an operator's confirm)."""
    instance = await database_instance_id(session)
    if instance is None:
        instance = uuid.uuid4().hex
        session.add(AppState(key=INSTANCE_KEY, value=instance, updated_at=utcnow()))
        await session.flush()
    write_marker(storage_dir, instance, await database_revision(session))
    return instance
