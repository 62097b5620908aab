"""Copying an incoming file to a private temp file, with the size limit enforced while
reading, so a huge upload never sits in memory and is cut as soon as it is too large."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

from scriptsensei.documents.errors import EmptyFile, FileTooLarge
from scriptsensei.documents.types import HEAD_BYTES

CHUNK_BYTES = 256 * 1024


@runtime_checkable
class AsyncReadable(Protocol):
    """What starlette's UploadFile offers: `await read(n)`."""

    async def read(self, size: int = -1) -> bytes: ...


ChunkSource = AsyncIterable[bytes] | AsyncReadable


@dataclass
class SpooledFile:
    """An upload copied to `path` (deleted by `discard`), with its size, hash and head."""

    path: Path
    size: int
    sha256: str
    head: bytes

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def temp_dir(data_dir: Path) -> Path:
    """Where uploads are spooled: under the data dir, on the storage's file system."""
    path = data_dir / "tmp" / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


async def iter_chunks(source: ChunkSource) -> AsyncIterator[bytes]:
    """Chunks of an async iterable, or of an object with `async read(n)`."""
    if isinstance(source, AsyncReadable):
        while chunk := await source.read(CHUNK_BYTES):
            yield chunk
        return
    async for chunk in source:
        if chunk:
            yield chunk


def _too_large(max_bytes: int) -> FileTooLarge:
    megabytes = max_bytes / (1024 * 1024)
    return FileTooLarge(f"This file is larger than the limit of {megabytes:g} MB per file.")


def check_declared_size(source: object, max_bytes: int) -> None:
    """Refuse at once when the source already knows its size (UploadFile.size)."""
    declared = getattr(source, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise _too_large(max_bytes)


async def spool(source: ChunkSource, directory: Path, max_bytes: int) -> SpooledFile:
    """Copy `source` to a new temp file under `directory`; FileTooLarge as soon as more than
    `max_bytes` arrive (reading stops there), EmptyFile for zero bytes."""
    check_declared_size(source, max_bytes)
    handle, name = await asyncio.to_thread(_open_temp, directory)
    spooled = SpooledFile(Path(name), 0, "", b"")
    try:
        await _copy(source, handle, spooled, max_bytes)
    except BaseException:
        await asyncio.to_thread(handle.close)
        spooled.discard()
        raise
    await asyncio.to_thread(handle.close)
    return spooled


def _open_temp(directory: Path) -> tuple[IO[bytes], str]:
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=directory)
    return os.fdopen(fd, "wb"), name


async def _copy(source: ChunkSource, out: IO[bytes], spooled: SpooledFile, limit: int) -> None:
    digest = hashlib.sha256()
    head = bytearray()
    async for chunk in iter_chunks(source):
        spooled.size += len(chunk)
        if spooled.size > limit:
            raise _too_large(limit)
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        await asyncio.to_thread(out.write, chunk)
    if spooled.size == 0:
        raise EmptyFile("This file is empty (0 bytes).")
    spooled.sha256 = digest.hexdigest()
    spooled.head = bytes(head)
