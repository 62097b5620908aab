"""Backup -> restore on an empty host, verified equal; refusals; corruption detected."""

from __future__ import annotations

import asyncio
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from scriptsensei.auth.apikeys import create_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.backup.create import apply_retention, create_backup
from scriptsensei.backup.restore import RestoreError, restore_backup
from scriptsensei.backup.verify import verify_archive
from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.documents.storage import storage_from_settings
from scriptsensei.models import ExtractionResult, Prescription
from tests.api.helpers import files, png
from tests.backup.conftest import add_stored_prescription
from tests.guard.helpers import running
from tests.support.releases import newer_release


async def _tables_and_revision(settings: Settings) -> tuple[set[str], str | None]:
    db = Database(settings)
    try:
        async with db.engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        return tables, await migrate.current_revision(db)
    finally:
        await db.dispose()


async def _snapshot(
    settings: Settings,
) -> tuple[list[tuple[str, str]], list[str], dict[str, bytes]]:
    db = Database(settings)
    try:
        async with unit_of_work(db) as session:
            rx = (
                await session.execute(
                    select(Prescription.id, Prescription.file_name).order_by(Prescription.id)
                )
            ).all()
            values = (
                (
                    await session.execute(
                        select(ExtractionResult.extracted_value).order_by(
                            ExtractionResult.extracted_value
                        )
                    )
                )
                .scalars()
                .all()
            )
    finally:
        await db.dispose()
    storage = storage_from_settings(settings)
    files = {key: await storage.read(key) async for key in storage.iter_keys()}
    return [tuple(r) for r in rx], [v or "" for v in values], files  # type: ignore[misc]


async def test_backup_then_restore_on_a_new_host_gives_the_same_data(
    settings: Settings, populated: list[str], new_host: Settings, tmp_path: Path
) -> None:
    archive = await create_backup(settings, tmp_path / "backups")
    report = verify_archive(archive)
    assert report.ok, report.problems
    assert report.manifest is not None
    assert report.manifest.row_counts["prescriptions"] == 3
    assert len(report.manifest.referenced_keys) == 6

    restored = await restore_backup(new_host, archive)
    assert restored.safety_backup is None
    assert restored.restored_files == 6
    assert restored.migrated_from is None  # the archive is at the code's revision
    assert await _snapshot(new_host) == await _snapshot(settings)


async def test_restore_refuses_a_database_with_data(
    settings: Settings, populated: list[str], tmp_path: Path
) -> None:
    archive = await create_backup(settings, tmp_path / "backups")
    with pytest.raises(RestoreError, match="not empty"):
        await restore_backup(settings, archive)


async def test_forced_restore_takes_a_safety_backup_first(
    settings: Settings, db: Database, populated: list[str], tmp_path: Path
) -> None:
    archive = await create_backup(settings, tmp_path / "backups")
    extra = await add_stored_prescription(settings, db, 99)
    report = await restore_backup(settings, archive, force=True)
    assert report.safety_backup is not None
    safety = verify_archive(report.safety_backup)
    assert safety.ok and safety.manifest is not None
    assert safety.manifest.row_counts["prescriptions"] == 4  # the replaced data is kept
    async with unit_of_work(db) as session:
        assert await session.get(Prescription, extra) is None
        assert len((await session.execute(select(Prescription))).all()) == 3


async def test_restore_of_an_older_archive_runs_the_migrations(
    settings: Settings, populated: list[str], new_host: Settings, tmp_path: Path
) -> None:
    archive = await create_backup(settings, tmp_path / "backups")
    archived = verify_archive(archive).manifest
    assert archived is not None
    assert archived.schema_revision == migrate.head_revision()

    newer = str(newer_release(tmp_path))
    report = await restore_backup(new_host, archive, script_location=newer)
    assert report.migrated_from == migrate.head_revision()
    assert report.schema_revision == "9999"
    tables, revision = await _tables_and_revision(new_host)
    assert "courier_pickups" in tables
    assert revision == "9999"
    assert await _snapshot(new_host) == await _snapshot(settings)


@pytest.mark.parametrize("deployed_first", [False, True], ids=["untouched", "deployed-first"])
async def test_restored_host_accepts_writes_at_its_first_start(
    settings: Settings,
    populated: list[str],
    new_host: Settings,
    tmp_path: Path,
    deployed_first: bool,
) -> None:
    """The runbook's restore on a new host: the app that starts afterwards serves writes,
    also when it had been started once on the empty database before the restore."""
    async with running(settings):
        pass  # the old host ran: its database has an instance id of its own
    archive = await create_backup(settings, tmp_path / "backups")
    if deployed_first:
        async with running(new_host):
            pass
    await restore_backup(new_host, archive)
    async with running(new_host) as (app, client):
        assert "write_guard" not in app.state.runtime.components
        async with unit_of_work(app.state.runtime.db) as session:
            key = (await create_api_key(session, "restore-check", Role.OPERATOR)).key
        response = await client.post(
            "/api/prescriptions/upload",
            files=files(("after-restore.png", png(3))),
            headers={"X-API-Key": key},
        )
    assert response.status_code == 201, response.text


def _rewrite_member(archive: Path, target: Path, name: str, data: bytes | None) -> None:
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source:
            content = source.extractfile(member)
            if member.name == name:
                if data is None:
                    continue
                member.size = len(data)
                out.addfile(member, __import__("io").BytesIO(data))
            else:
                out.addfile(member, content)


async def test_verify_detects_corruption_and_missing_files(
    settings: Settings, populated: list[str], tmp_path: Path
) -> None:
    archive = await create_backup(settings, tmp_path / "backups")
    with tarfile.open(archive) as tar:
        file_member = next(m.name for m in tar if m.name.startswith("files/"))
    corrupted = tmp_path / "corrupted.tar"
    _rewrite_member(archive, corrupted, file_member, b"tampered")
    report = verify_archive(corrupted)
    assert not report.ok
    assert any("checksum does not match" in p for p in report.problems)

    missing = tmp_path / "missing.tar"
    _rewrite_member(archive, missing, file_member, None)
    report = verify_archive(missing)
    assert any("missing from the archive" in p for p in report.problems)
    assert any("referenced by the database but missing" in p for p in report.problems)

    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[:1000])
    assert not verify_archive(truncated).ok
    with pytest.raises(RestoreError, match="did not verify"):
        await restore_backup(settings, truncated, force=True)


async def test_backup_while_uploads_run_is_consistent(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    stop = asyncio.Event()

    async def upload_continuously() -> int:
        count = 0
        while not stop.is_set():
            await add_stored_prescription(settings, db, 1000 + count)
            count += 1
        return count

    uploader = asyncio.create_task(upload_continuously())
    await asyncio.sleep(0.3)
    archive = await create_backup(settings, tmp_path / "backups")
    stop.set()
    uploaded = await uploader
    report = verify_archive(archive)
    assert report.ok, report.problems  # every file a row of the dump points to is inside
    assert report.manifest is not None
    assert 0 < report.manifest.row_counts["prescriptions"] <= uploaded


def test_retention_keeps_the_newest(tmp_path: Path) -> None:
    names = [f"scriptsensei-backup-2026010{i}T000000000000Z.tar" for i in range(1, 6)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    removed = apply_retention(tmp_path, 2)
    assert sorted(p.name for p in removed) == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == names[3:]
