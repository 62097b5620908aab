"""Where originals and page images live: a backend behind a small Protocol, keyed by content
hash, so that an S3-compatible backend can take the local directory's place.

Keys: `originals/ab/cd/<sha256>` for an uploaded file, `pages/<sha256>/<n>.png` for its
pages (the hash is the original's). Keys are made here, never from a client's file name.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

from scriptsensei.core.settings import Settings

STREAM_CHUNK_BYTES = 256 * 1024
_TEMP_PREFIX = ".put-"  # a write in flight, renamed over its key once complete
_KEY_PATTERN = re.compile(r"^[a-z0-9]+(/[a-z0-9][a-z0-9._-]*)+$")


def original_key(sha256: str) -> str:
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def page_key(sha256: str, page_index: int) -> str:
    return f"pages/{sha256}/{page_index}.png"


def check_key(key: str) -> str:
    """Keys are ours; refusing anything else keeps a bug from reaching outside the store."""
    if not _KEY_PATTERN.match(key) or ".." in key:
        raise ValueError(f"invalid storage key: {key!r}")
    return key


class StorageKeyMissing(FileNotFoundError):
    """The key names no stored file."""


@runtime_checkable
class FileStorage(Protocol):
    """A store of immutable files by key. Writes are atomic: a reader sees the whole file
    or nothing. `put_*` return True when the key was new (the caller then owns cleanup)."""

    async def put_file(self, key: str, path: Path) -> bool: ...

    async def put_bytes(self, key: str, data: bytes) -> bool: ...

    async def read(self, key: str) -> bytes: ...

    def stream(self, key: str, chunk_size: int = STREAM_CHUNK_BYTES) -> AsyncIterator[bytes]: ...

    async def exists(self, key: str) -> bool: ...

    async def size(self, key: str) -> int: ...

    async def delete(self, key: str) -> bool: ...

    async def modified_at(self, key: str) -> float:
        """When the file was written, in seconds since the epoch."""
        ...

    def iter_keys(self, prefix: str = "") -> AsyncIterator[str]: ...

    async def remove_abandoned_writes(self, older_than: float) -> int:
        """Remove partial writes begun before `older_than` (epoch seconds) that never
        completed (their process was killed mid-write); returns how many."""
        ...

    def local_path(self, key: str) -> Path | None:
        """A path a web server may send directly, or None for remote backends."""
        ...


class LocalFileStorage:
    """Files under one directory; each write goes to a temp file in the target directory,
    is fsynced, then renamed over the key (atomic on POSIX)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put_file(self, key: str, path: Path) -> bool:
        return await asyncio.to_thread(self._put, key, None, path)

    async def put_bytes(self, key: str, data: bytes) -> bool:
        return await asyncio.to_thread(self._put, key, data, None)

    def _put(self, key: str, data: bytes | None, source: Path | None) -> bool:
        target = self._path(key)
        if target.exists():  # content-addressed: the same key holds the same bytes
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                _write(out, data, source)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        _fsync_dir(target.parent)
        return True

    async def read(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError:
            raise StorageKeyMissing(key) from None

    async def stream(self, key: str, chunk_size: int = STREAM_CHUNK_BYTES) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(self._path(key).open, "rb")
        except FileNotFoundError:
            raise StorageKeyMissing(key) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, chunk_size):
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def size(self, key: str) -> int:
        try:
            stat = await asyncio.to_thread(self._path(key).stat)
        except FileNotFoundError:
            raise StorageKeyMissing(key) from None
        return stat.st_size

    async def delete(self, key: str) -> bool:
        return await asyncio.to_thread(self._delete, key)

    async def modified_at(self, key: str) -> float:
        try:
            stat = await asyncio.to_thread(self._path(key).stat)
        except FileNotFoundError:
            raise StorageKeyMissing(key) from None
        return stat.st_mtime

    def _delete(self, key: str) -> bool:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _prune_empty_dirs(path.parent, self.root)
        return True

    async def iter_keys(self, prefix: str = "") -> AsyncIterator[str]:
        keys = await asyncio.to_thread(lambda: sorted(self._walk()))
        for key in keys:
            if key.startswith(prefix):
                yield key

    async def remove_abandoned_writes(self, older_than: float) -> int:
        return await asyncio.to_thread(self._remove_abandoned_writes, older_than)

    def _remove_abandoned_writes(self, older_than: float) -> int:
        removed = 0
        for path in self.root.rglob(f"{_TEMP_PREFIX}*") if self.root.is_dir() else []:
            with contextlib.suppress(FileNotFoundError):
                if path.is_file() and path.stat().st_mtime < older_than:
                    path.unlink()
                    removed += 1
        return removed

    def _walk(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            # Dot-files are not stored files: temp files of writes in flight and the
            # data-loss guard's marker.
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(self.root).as_posix()

    def local_path(self, key: str) -> Path | None:
        return self._path(key)


def _write(out: IO[bytes], data: bytes | None, source: Path | None) -> None:
    if data is not None:
        out.write(data)
        return
    assert source is not None
    with source.open("rb") as handle:
        shutil.copyfileobj(handle, out, STREAM_CHUNK_BYTES)


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune_empty_dirs(directory: Path, root: Path) -> None:
    while directory != root and directory.is_relative_to(root):
        try:
            directory.rmdir()
        except OSError:  # not empty, or already gone
            return
        directory = directory.parent


def storage_from_settings(settings: Settings) -> FileStorage:
    """The storage backend the settings ask for (today: the local directory)."""
    return LocalFileStorage(settings.storage_dir)
