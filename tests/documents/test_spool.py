"""Uploads are copied under the size limit, which cuts the stream as soon as it is passed."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from scriptsensei.documents.errors import EmptyFile, FileTooLarge
from scriptsensei.documents.spool import spool


class CountingSource:
    """An endless upload that records how much was pulled from it."""

    def __init__(self, chunk: int = 64 * 1024) -> None:
        self.chunk = chunk
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            self.pulled += self.chunk
            yield b"\xff" * self.chunk


class Readable:
    """Like starlette's UploadFile: `await read(n)`, and maybe a known size."""

    def __init__(self, data: bytes, size: int | None = None) -> None:
        self.data = data
        self.offset = 0
        self.size = size
        self.reads = 0

    async def read(self, size: int = -1) -> bytes:
        self.reads += 1
        chunk = self.data[self.offset : self.offset + size]
        self.offset += len(chunk)
        return chunk


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_spooled_copy_has_size_hash_and_head(tmp_path: Path) -> None:
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 1000
    spooled = await spool(_chunks(data[:1000], b"", data[1000:]), tmp_path, 10**6)
    assert spooled.path.read_bytes() == data
    assert spooled.size == len(data)
    assert spooled.sha256 == hashlib.sha256(data).hexdigest()
    assert spooled.head == data[:64]
    spooled.discard()
    assert list(tmp_path.iterdir()) == []


async def test_upload_file_like_sources_are_read(tmp_path: Path) -> None:
    data = b"abc" * 100_000
    spooled = await spool(Readable(data), tmp_path, 10**6)
    assert spooled.path.read_bytes() == data


async def test_stream_is_cut_once_the_limit_is_passed(tmp_path: Path) -> None:
    source = CountingSource()
    with pytest.raises(FileTooLarge) as caught:
        await spool(source, tmp_path, 1024 * 1024)
    assert caught.value.status_code == 413
    assert "1 MB" in caught.value.detail
    # Reading stopped at the first chunk past the limit, not at the end of the stream.
    assert source.pulled <= 1024 * 1024 + source.chunk
    assert list(tmp_path.iterdir()) == []  # the partial copy is gone


async def test_a_declared_size_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    source = Readable(b"x" * 10, size=10**9)
    with pytest.raises(FileTooLarge):
        await spool(source, tmp_path, 1024)
    assert source.reads == 0
    assert list(tmp_path.iterdir()) == []


async def test_exactly_the_limit_is_accepted(tmp_path: Path) -> None:
    spooled = await spool(_chunks(b"x" * 1024), tmp_path, 1024)
    assert spooled.size == 1024


async def test_empty_upload_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EmptyFile) as caught:
        await spool(_chunks(), tmp_path, 1024)
    assert "empty" in caught.value.detail
    assert list(tmp_path.iterdir()) == []
