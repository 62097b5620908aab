"""Where a worker gets the page images of a prescription.

Page images are stored outside the database under their storage keys (see `documents`);
legacy rows carry a base64 JPEG in `image_data` and are decoded here. Reading happens
outside any transaction: the session is closed before a byte of a file is read.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from scriptsensei.core.db import Database
from scriptsensei.extraction.engine import PageImage, PermanentEngineError
from scriptsensei.extraction.pages import PageDecodeError, decode_pages
from scriptsensei.models import DocumentPage, Prescription


class PageSource(Protocol):
    async def pages_for(self, prescription_id: str) -> list[PageImage]: ...


class BlobReader(Protocol):
    """What the worker needs of the file storage: the bytes stored under a key."""

    async def read(self, key: str) -> bytes: ...


class DirectoryBlobs:
    """Files under a directory, named by their storage keys (the default storage layout)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def read(self, key: str) -> bytes:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise PermanentEngineError(f"storage key '{key}' points outside the storage")
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise PermanentEngineError(f"the stored page '{key}' is missing") from None


def _legacy_pages(image_data: str) -> list[PageImage]:
    try:
        return decode_pages(base64.b64decode(image_data.split(",")[-1], validate=False))
    except (binascii.Error, PageDecodeError) as exc:
        raise PermanentEngineError(f"the stored legacy image cannot be read: {exc}") from None


class StoredPages:
    """Page images of a prescription's document, or of its legacy base64 image."""

    def __init__(self, db: Database, blobs: BlobReader) -> None:
        self.db = db
        self.blobs = blobs

    async def _rows(self, prescription_id: str) -> tuple[Any, list[DocumentPage]]:
        async with self.db.sessions() as session:
            found = await session.execute(
                select(Prescription.document_id, Prescription.image_data).where(
                    Prescription.id == prescription_id
                )
            )
            prescription = found.first()
            if prescription is None or prescription.document_id is None:
                return prescription, []
            pages = await session.execute(
                select(DocumentPage)
                .where(DocumentPage.document_id == prescription.document_id)
                .order_by(DocumentPage.page_index)
            )
            return prescription, list(pages.scalars())

    async def pages_for(self, prescription_id: str) -> list[PageImage]:
        prescription, rows = await self._rows(prescription_id)
        if prescription is None:
            raise PermanentEngineError("the prescription no longer exists")
        if rows:
            return [
                PageImage(row.page_index, await self.blobs.read(row.storage_key),
                          row.content_type, row.width, row.height)
                for row in rows
            ]  # fmt: skip
        if prescription.image_data:
            return await asyncio.to_thread(_legacy_pages, prescription.image_data)
        raise PermanentEngineError("the prescription has no stored page images to read")
