"""Rendering a spooled file and putting the original and its pages into storage, before any
database row names them (rows are written afterwards, in one short transaction)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

from scriptsensei.documents.errors import StorageFailed
from scriptsensei.documents.render import PageLimits, render_file
from scriptsensei.documents.storage import FileStorage, original_key, page_key
from scriptsensei.documents.types import FileType
from scriptsensei.extraction.engine import PageImage


@dataclass(frozen=True)
class StoredPage:
    index: int
    storage_key: str
    sha256: str
    content_type: str
    width: int
    height: int


@dataclass
class StoredDocument:
    """A document whose files are in storage. `created_keys`: the keys this call wrote (the
    caller deletes them if its transaction fails and no row names them)."""

    sha256: str
    storage_key: str
    content_type: str
    byte_size: int
    pages: list[StoredPage]
    created_keys: list[str] = field(default_factory=list)
    # What was written, kept until the rows commit so that `restore_missing` can write a
    # file again if a concurrent failed upload of the same content removed it meanwhile.
    source_path: Path | None = field(default=None, repr=False)
    rendered: list[PageImage] = field(default_factory=list, repr=False)

    @property
    def page_count(self) -> int:
        return len(self.pages)


async def render_and_store(
    storage: FileStorage,
    path: Path,
    sha256: str,
    size: int,
    file_type: FileType,
    limits: PageLimits,
) -> StoredDocument:
    """Decode every page (off the event loop), then store the original and the pages.
    Raises FileRejected for a bad file and StorageFailed when storage refuses a write."""
    pages = await asyncio.to_thread(render_file, path, file_type, limits)
    stored = StoredDocument(sha256, original_key(sha256), file_type.content_type, size, [])
    stored.source_path, stored.rendered = path, pages
    try:
        await _put(stored, stored.storage_key, storage.put_file(stored.storage_key, path))
        for page in pages:
            stored.pages.append(await _store_page(storage, stored, page))
    except OSError as exc:
        await delete_keys(storage, stored.created_keys)
        raise StorageFailed(
            "The file could not be written to storage (the disk may be full or not "
            "writable); nothing was kept. Try again later."
        ) from exc
    return stored


async def _store_page(storage: FileStorage, stored: StoredDocument, page: PageImage) -> StoredPage:
    key = page_key(stored.sha256, page.index)
    await _put(stored, key, storage.put_bytes(key, page.data))
    digest = hashlib.sha256(page.data).hexdigest()
    return StoredPage(page.index, key, digest, page.content_type, page.width, page.height)


async def _put(stored: StoredDocument, key: str, write: Awaitable[bool]) -> None:
    if await write:
        stored.created_keys.append(key)


async def delete_keys(storage: FileStorage, keys: list[str]) -> None:
    for key in keys:
        await storage.delete(key)


async def restore_missing(storage: FileStorage, stored: StoredDocument) -> list[str]:
    """Write again any file of `stored` that is gone (call once its rows have committed,
    while the spooled source still exists). Returns the keys written."""
    written: list[str] = []
    if stored.source_path is not None and not await storage.exists(stored.storage_key):
        await storage.put_file(stored.storage_key, stored.source_path)
        written.append(stored.storage_key)
    for page, image in zip(stored.pages, stored.rendered, strict=False):
        if not await storage.exists(page.storage_key):
            await storage.put_bytes(page.storage_key, image.data)
            written.append(page.storage_key)
    return written
