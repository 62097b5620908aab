"""Where a worker gets the page images of a prescription.

Page images are stored outside the database under their storage keys (see `documents`);
legacy rows carry a base64 JPEG in `image_data` and are decoded here. Reading happens
outside any transaction: the session is closed before a byte of a file is read.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections import OrderedDict
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _StoredPage:
    page_index: int
    storage_key: str
    content_type: str
    width: int
    height: int


# Where a prescription's pages are stored never changes once it is accepted: the engines
# of one run (often claimed one after another) share one lookup.
LOCATIONS_KEPT = 256


class StoredPages:
    """Page images of a prescription's document, or of its legacy base64 image."""

    def __init__(self, db: Database, blobs: BlobReader) -> None:
        self.db = db
        self.blobs = blobs
        self._locations: OrderedDict[str, list[_StoredPage]] = OrderedDict()

    async def _rows(self, prescription_id: str) -> list[Any]:
        """The prescription's pages in order (one row with no page for a legacy row or a
        prescription without pages; no row when it no longer exists), in one query."""
        query = (
            select(
                Prescription.image_data,
                DocumentPage.page_index,
                DocumentPage.storage_key,
                DocumentPage.content_type,
                DocumentPage.width,
                DocumentPage.height,
            )
            .outerjoin(DocumentPage, DocumentPage.document_id == Prescription.document_id)
            .where(Prescription.id == prescription_id)
            .order_by(DocumentPage.page_index)
        )
        async with self.db.sessions() as session:
            return list(await session.execute(query))

    async def _locate(self, prescription_id: str) -> list[_StoredPage] | str:
        """The stored pages, or the legacy base64 image."""
        known = self._locations.get(prescription_id)
        if known is not None:
            self._locations.move_to_end(prescription_id)
            return known
        rows = await self._rows(prescription_id)
        if not rows:
            raise PermanentEngineError("the prescription no longer exists")
        if rows[0].storage_key is None:
            if rows[0].image_data:
                return str(rows[0].image_data)
            raise PermanentEngineError("the prescription has no stored page images to read")
        pages = [
            _StoredPage(r.page_index, r.storage_key, r.content_type, r.width, r.height)
            for r in rows
        ]
        self._locations[prescription_id] = pages
        if len(self._locations) > LOCATIONS_KEPT:
            self._locations.popitem(last=False)
        return pages

    async def pages_for(self, prescription_id: str) -> list[PageImage]:
        located = await self._locate(prescription_id)
        if isinstance(located, str):
            return await asyncio.to_thread(_legacy_pages, located)
        return [
            PageImage(page.page_index, await self.blobs.read(page.storage_key),
                      page.content_type, page.width, page.height)
            for page in located
        ]  # fmt: skip
