"""Writing and reading the archive: a plain tar (its contents are already compressed)
written to a temporary name and renamed, so a half-written archive never looks finished."""

from __future__ import annotations

import io
import os
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from scriptsensei.backup.manifest import MANIFEST_NAME, Manifest, sha256_of_stream

ARCHIVE_PREFIX = "scriptsensei-backup-"
ARCHIVE_SUFFIX = ".tar"
FILES_PREFIX = "files/"


def archive_name(stamp: str) -> str:
    return f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"


class ArchiveWriter:
    def __init__(self, tar: tarfile.TarFile) -> None:
        self._tar = tar
        self.checksums: dict[str, str] = {}

    def add_bytes(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = int(time.time())
        info.mode = 0o600
        self._tar.addfile(info, io.BytesIO(data))
        self.checksums[name] = sha256_of_stream(io.BytesIO(data))

    def add_file(self, name: str, path: Path) -> None:
        info = self._tar.gettarinfo(str(path), arcname=name)
        info.mode = 0o600
        with path.open("rb") as handle:
            self._tar.addfile(info, handle)
            handle.seek(0)
            self.checksums[name] = sha256_of_stream(handle)

    def add_manifest(self, manifest: Manifest) -> None:
        manifest.files = dict(self.checksums)
        data = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size = len(data)
        info.mtime = int(time.time())
        self._tar.addfile(info, io.BytesIO(data))


@contextmanager
def write_archive(target: Path) -> Iterator[ArchiveWriter]:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        with tarfile.open(partial, "w") as tar:
            yield ArchiveWriter(tar)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def read_manifest(tar: tarfile.TarFile) -> Manifest:
    try:
        member = tar.extractfile(MANIFEST_NAME)
    except KeyError:
        raise ValueError("the archive has no manifest") from None
    if member is None:
        raise ValueError("the archive's manifest is not a file")
    return Manifest.from_json(member.read())


def iter_members(tar: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    """Regular-file members except the manifest; anything else is refused."""
    for member in tar:
        if member.name == MANIFEST_NAME:
            continue
        if not member.isfile() or member.name.startswith("/") or ".." in member.name.split("/"):
            raise ValueError(f"unexpected member in archive: {member.name!r}")
        handle = tar.extractfile(member)
        assert handle is not None
        yield member, handle


def list_archives(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}"))
