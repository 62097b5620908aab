"""Rendering and storing a document before any row names it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from scriptsensei.documents.errors import StorageFailed, TooManyPages
from scriptsensei.documents.render import PageLimits
from scriptsensei.documents.storage import LocalFileStorage, original_key, page_key
from scriptsensei.documents.store import render_and_store, restore_missing
from scriptsensei.documents.types import PDF, PNG, TIFF
from tests.documents import samples

LIMITS = PageLimits(40, 60_000_000)


def _spooled(tmp_path: Path, data: bytes) -> tuple[Path, str]:
    path = tmp_path / "spooled"
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


async def test_original_and_pages_are_stored(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "files")
    data = samples.pdf(2)
    path, sha = _spooled(tmp_path, data)
    stored = await render_and_store(storage, path, sha, len(data), PDF, LIMITS)
    assert stored.page_count == 2
    assert stored.created_keys == [original_key(sha), page_key(sha, 0), page_key(sha, 1)]
    page = await storage.read(page_key(sha, 1))
    assert stored.pages[1].sha256 == hashlib.sha256(page).hexdigest()
    assert (stored.pages[1].width, stored.pages[1].content_type) == (200, "image/png")
    again = await render_and_store(storage, path, sha, len(data), PDF, LIMITS)
    assert again.created_keys == []  # same content, nothing new written


async def test_missing_files_are_restored_after_commit(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "files")
    data = samples.png()
    path, sha = _spooled(tmp_path, data)
    stored = await render_and_store(storage, path, sha, len(data), PNG, LIMITS)
    assert await restore_missing(storage, stored) == []
    await storage.delete(original_key(sha))
    await storage.delete(page_key(sha, 0))
    assert await restore_missing(storage, stored) == [original_key(sha), page_key(sha, 0)]
    assert await storage.read(original_key(sha)) == data


async def test_refused_file_writes_nothing(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "files")
    data = samples.pdf(50)
    path, sha = _spooled(tmp_path, data)
    with pytest.raises(TooManyPages):
        await render_and_store(storage, path, sha, len(data), PDF, LIMITS)
    assert [k async for k in storage.iter_keys()] == []


async def test_storage_failure_removes_what_was_written(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "files")
    data = samples.tiff(2)
    path, sha = _spooled(tmp_path, data)
    # The page directory cannot be created: a file stands where it should be.
    (tmp_path / "files" / "pages").mkdir(parents=True)
    (tmp_path / "files" / "pages" / sha).write_bytes(b"in the way")
    with pytest.raises(StorageFailed, match="could not be written"):
        await render_and_store(storage, path, sha, len(data), TIFF, LIMITS)
    assert not await storage.exists(original_key(sha))
