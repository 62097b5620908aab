"""The local storage backend: atomic content-addressed writes, reads, streams, deletes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from scriptsensei.documents.storage import (
    FileStorage,
    LocalFileStorage,
    StorageKeyMissing,
    original_key,
    page_key,
)

SHA = hashlib.sha256(b"content").hexdigest()


@pytest.fixture
def storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "files")


def test_keys_are_content_addressed() -> None:
    assert original_key(SHA) == f"originals/{SHA[:2]}/{SHA[2:4]}/{SHA}"
    assert page_key(SHA, 3) == f"pages/{SHA}/3.png"


def test_local_storage_implements_the_protocol(storage: LocalFileStorage) -> None:
    assert isinstance(storage, FileStorage)


async def test_put_read_stream_size_exists(storage: LocalFileStorage, tmp_path: Path) -> None:
    source = tmp_path / "upload"
    source.write_bytes(b"x" * 600_000)
    assert await storage.put_file(original_key(SHA), source) is True
    assert await storage.exists(original_key(SHA))
    assert await storage.size(original_key(SHA)) == 600_000
    assert await storage.read(original_key(SHA)) == b"x" * 600_000
    chunks = [c async for c in storage.stream(original_key(SHA), chunk_size=256 * 1024)]
    assert [len(c) for c in chunks] == [262144, 262144, 75712]
    assert source.exists()  # the caller's temp file is left to the caller


async def test_second_put_of_a_key_writes_nothing(storage: LocalFileStorage) -> None:
    key = page_key(SHA, 0)
    assert await storage.put_bytes(key, b"page") is True
    assert await storage.put_bytes(key, b"page") is False
    assert await storage.read(key) == b"page"


async def test_no_temp_file_is_left_after_writes(storage: LocalFileStorage) -> None:
    await storage.put_bytes(page_key(SHA, 0), b"a")
    await storage.put_bytes(page_key(SHA, 1), b"b")
    names = sorted(os.listdir(storage.root / "pages" / SHA))
    assert names == ["0.png", "1.png"]


async def test_failed_write_leaves_nothing(storage: LocalFileStorage, tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    with pytest.raises(FileNotFoundError):
        await storage.put_file(original_key(SHA), missing)
    assert not await storage.exists(original_key(SHA))
    assert [k async for k in storage.iter_keys()] == []


async def test_unwritable_storage_raises_os_error(tmp_path: Path) -> None:
    blocker = tmp_path / "files"
    blocker.write_bytes(b"a file where the directory should be")
    with pytest.raises(OSError):
        await LocalFileStorage(blocker).put_bytes(page_key(SHA, 0), b"x")


async def test_delete_and_missing_keys(storage: LocalFileStorage) -> None:
    key = original_key(SHA)
    await storage.put_bytes(key, b"data")
    assert [k async for k in storage.iter_keys("originals/")] == [key]
    assert await storage.delete(key) is True
    assert await storage.delete(key) is False
    assert not (storage.root / "originals").exists()  # empty directories pruned
    with pytest.raises(StorageKeyMissing):
        await storage.read(key)
    with pytest.raises(StorageKeyMissing):
        await storage.size(key)
    with pytest.raises(StorageKeyMissing):
        [c async for c in storage.stream(key)]


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "pages/../../x", "Pages/A", "x"])
async def test_keys_outside_the_scheme_are_refused(storage: LocalFileStorage, key: str) -> None:
    with pytest.raises(ValueError, match="invalid storage key"):
        await storage.put_bytes(key, b"x")


async def test_dot_files_are_not_stored_files(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    await storage.put_bytes("originals/ab/cd/" + "ab" * 32, b"x")
    (tmp_path / ".scriptsensei-instance.json").write_text("{}")
    (tmp_path / "originals" / ".put-123").write_text("partial")
    assert [key async for key in storage.iter_keys()] == ["originals/ab/cd/" + "ab" * 32]
