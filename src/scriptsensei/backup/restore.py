"""Restoring an archive: into an empty database (a non-empty one only when forced, after a
safety backup), files back into storage, migrations if the archive is older than the code,
then counts and checksums verified. Last, the file store is tied to the restored database,
so the data-loss guard lets the app accept writes at its next start."""

from __future__ import annotations

import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from sqlalchemy import func, inspect, select

from scriptsensei.backup import database_dump
from scriptsensei.backup.archive import FILES_PREFIX, iter_members
from scriptsensei.backup.create import create_backup
from scriptsensei.backup.manifest import Manifest, sha256_of_file
from scriptsensei.backup.verify import verify_archive
from scriptsensei.core import migrate
from scriptsensei.core.db import Database, is_sqlite_url
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.documents.storage import FileStorage, storage_from_settings
from scriptsensei.guard.service import adopt
from scriptsensei.models import ApiKey, Document, ExtractionResult, Prescription, User

log = structlog.get_logger(__name__)

# Rows of these tables mean somebody's data is here (a freshly migrated database holds
# only the default config, which does not count).
DATA_TABLES = (Prescription, ExtractionResult, Document, User, ApiKey)


class RestoreError(RuntimeError):
    """The restore cannot go ahead or did not check out; the message says why."""


@dataclass
class RestoreReport:
    archive: Path
    safety_backup: Path | None = None
    migrated_from: str | None = None
    schema_revision: str | None = None
    restored_files: int = 0
    row_counts: dict[str, int] = field(default_factory=dict)


async def database_has_data(db: Database) -> bool:
    async with db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        for model in DATA_TABLES:
            if model.__tablename__ in tables:
                count = await conn.scalar(select(func.count()).select_from(model))
                if count:
                    return True
    return False


async def _restore_database(settings: Settings, manifest: Manifest, dump: Path) -> None:
    url = settings.resolved_database_url
    backend = "sqlite" if is_sqlite_url(url) else "postgresql"
    if backend != manifest.backend:
        raise RestoreError(
            f"this archive holds a {manifest.backend} database; the configured database is "
            f"{backend} (restoring across backends is not supported)"
        )
    if backend == "sqlite":
        database_dump.restore_sqlite(url, dump)
    else:
        await database_dump.restore_postgres(url, dump)


async def _restore_files(
    tar: tarfile.TarFile, storage: FileStorage, tmp: Path, manifest: Manifest
) -> Path:
    dump_path = tmp / "database.dump"
    for member, handle in iter_members(tar):
        target = dump_path if member.name == manifest.database_file else tmp / "file"
        with target.open("wb") as out:
            while chunk := handle.read(1024 * 1024):
                out.write(chunk)
        if member.name.startswith(FILES_PREFIX):
            if sha256_of_file(target) != manifest.files[member.name]:
                raise RestoreError(f"{member.name} changed while restoring")
            await storage.put_file(member.name[len(FILES_PREFIX) :], target)
    return dump_path


async def _current_counts(settings: Settings) -> dict[str, int]:
    url = settings.resolved_database_url
    if is_sqlite_url(url):
        return database_dump.sqlite_counts_and_keys(database_dump.sqlite_path(url)).row_counts
    return (await database_dump.postgres_counts_and_keys(url)).row_counts


async def _verify_restored(
    settings: Settings, manifest: Manifest, storage: FileStorage
) -> dict[str, int]:
    counts = await _current_counts(settings)
    differing = {
        t: (n, counts.get(t)) for t, n in manifest.row_counts.items() if counts.get(t) != n
    }
    if differing:
        raise RestoreError(f"row counts differ after restore (expected, found): {differing}")
    missing = [k for k in manifest.referenced_keys if not await storage.exists(k)]
    if missing:
        raise RestoreError(f"{len(missing)} referenced files are missing after restore")
    return counts


async def restore_backup(
    settings: Settings,
    archive: Path,
    *,
    force: bool = False,
    script_location: str = migrate.MIGRATIONS_PACKAGE,
) -> RestoreReport:
    """`script_location`: where the migrations are (tests of a newer release pass theirs)."""
    report = verify_archive(archive)
    if not report.ok or report.manifest is None:
        raise RestoreError("the archive did not verify: " + "; ".join(report.problems[:5]))
    manifest = report.manifest
    result = RestoreReport(archive)
    db = Database(settings)
    try:
        if await database_has_data(db):
            if not force:
                raise RestoreError(
                    "the database is not empty; restoring would replace its data. "
                    "Run again with --force (a safety backup is taken first)."
                )
            result.safety_backup = await create_backup(settings)
            log.warning("restore_safety_backup", path=str(result.safety_backup))
    finally:
        await db.dispose()
    storage = storage_from_settings(settings)
    with (
        tempfile.TemporaryDirectory(prefix="scriptsensei-restore-") as tmp,
        tarfile.open(archive) as tar,
    ):
        dump = await _restore_files(tar, storage, Path(tmp), manifest)
        result.restored_files = sum(1 for n in manifest.files if n.startswith(FILES_PREFIX))
        await _restore_database(settings, manifest, dump)
    result.row_counts = await _verify_restored(settings, manifest, storage)
    await _migrate_and_tie(settings, result, manifest.schema_revision, script_location)
    log.info(
        "restore_completed",
        archive=str(archive),
        files=result.restored_files,
        revision=result.schema_revision,
        migrated_from=result.migrated_from,
    )
    return result


async def _migrate_and_tie(
    settings: Settings, result: RestoreReport, archived: str | None, script_location: str
) -> None:
    """Apply the migrations the archive predates, then tie the file store to the restored
    database (its instance id differs from the one any earlier start on this host wrote
    into the store's marker)."""
    db = Database(settings)
    try:
        result.schema_revision = await migrate.upgrade(db, script_location)
        if result.schema_revision != archived:
            result.migrated_from = archived
        async with unit_of_work(db) as session:
            instance = await adopt(session, settings.storage_dir)
    finally:
        await db.dispose()
    log.info("restore_file_store_tied", instance=instance, revision=result.schema_revision)
