"""Taking a backup: a consistent database dump, every stored file, a manifest."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import structlog

from scriptsensei import __version__
from scriptsensei.backup import database_dump
from scriptsensei.backup.archive import (
    FILES_PREFIX,
    ArchiveWriter,
    archive_name,
    list_archives,
    write_archive,
)
from scriptsensei.backup.manifest import Manifest
from scriptsensei.core.db import is_sqlite_url
from scriptsensei.core.settings import Settings
from scriptsensei.documents.storage import FileStorage, storage_from_settings

log = structlog.get_logger(__name__)


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ")


async def _dump(url: str, directory: Path) -> tuple[Path, database_dump.DumpResult, str]:
    if is_sqlite_url(url):
        path = directory / "scriptsensei.sqlite3"
        return path, database_dump.dump_sqlite(url, path), "sqlite"
    path = directory / "scriptsensei.dump"
    return path, await database_dump.dump_postgres(url, path), "postgresql"


async def _add_files(writer: ArchiveWriter, storage: FileStorage) -> int:
    count = 0
    # Files are immutable and content-addressed, so copying them after the dump captures
    # every file the dump references (uploads store their file before their row commits).
    async for key in storage.iter_keys():
        local = storage.local_path(key)
        if local is not None:
            writer.add_file(FILES_PREFIX + key, local)
        else:
            writer.add_bytes(FILES_PREFIX + key, await storage.read(key))
        count += 1
    return count


async def create_backup(settings: Settings, output_dir: Path | None = None) -> Path:
    """Write one archive into `output_dir` (default: the backup directory); returns its path."""
    output_dir = output_dir or settings.resolved_backup_dir
    now = datetime.now(UTC)
    target = output_dir / archive_name(_stamp(now))
    storage = storage_from_settings(settings)
    with tempfile.TemporaryDirectory(prefix="scriptsensei-backup-") as tmp:
        dump_path, dumped, backend = await _dump(settings.resolved_database_url, Path(tmp))
        with write_archive(target) as writer:
            database_member = f"database/{dump_path.name}"
            writer.add_file(database_member, dump_path)
            files = await _add_files(writer, storage)
            writer.add_manifest(
                Manifest(
                    app_version=__version__,
                    schema_revision=dumped.revision,
                    backend=backend,
                    created_at=now.isoformat(),
                    database_file=database_member,
                    row_counts=dumped.row_counts,
                    referenced_keys=dumped.referenced_keys,
                )
            )
    log.info("backup_written", path=str(target), files=files, rows=sum(dumped.row_counts.values()))
    return target


def apply_retention(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives; returns what was deleted."""
    archives = list_archives(directory)
    doomed = archives[:-keep] if keep > 0 else archives
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed
