"""Page images of a prescription, whether stored as a document (ours) or as base64 in
`image_data` (rows of the earlier app), and the import of the latter into storage."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.db import Database
from scriptsensei.core.errors import NotFound, Unprocessable
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.documents.render import PageLimits
from scriptsensei.documents.spool import spool, temp_dir
from scriptsensei.documents.storage import FileStorage, StorageKeyMissing
from scriptsensei.documents.store import StoredDocument, render_and_store
from scriptsensei.documents.types import JPEG, detect_type, sniff
from scriptsensei.models import Document, Prescription
from scriptsensei.prescriptions import repository


@dataclass(frozen=True)
class PageRef:
    """Where a page image is: a storage key, or the decoded legacy bytes."""

    content_type: str
    etag: str  # quoted, ready for the ETag header
    storage_key: str | None = None
    data: bytes | None = None


def decode_legacy_image(image_data: str) -> bytes:
    """The earlier app's base64 (sometimes a `data:` URL) as bytes."""
    payload = image_data.split(",", 1)[1] if image_data.startswith("data:") else image_data
    try:
        return base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise Unprocessable("The stored image of this prescription is not valid base64.") from exc


async def _prescription(session: AsyncSession, prescription_id: str) -> Prescription:
    prescription = await repository.get_prescription(session, prescription_id)
    if prescription is None:
        raise NotFound(f"There is no prescription with id '{prescription_id}'.")
    return prescription


def _no_page(page_index: int, page_count: int) -> NotFound:
    return NotFound(f"Page {page_index + 1} does not exist; this prescription has {page_count}.")


async def page_ref(session: AsyncSession, prescription_id: str, page_index: int = 0) -> PageRef:
    """Where page `page_index` (0-based) of the prescription is. NotFound if none."""
    prescription = await _prescription(session, prescription_id)
    if prescription.document_id is not None:
        page = await repository.document_page(session, prescription.document_id, page_index)
        if page is None:
            raise _no_page(page_index, prescription.page_count or 0)
        return PageRef(page.content_type, f'"{page.sha256}"', storage_key=page.storage_key)
    image_data = await repository.legacy_image(session, prescription_id)
    if not image_data:
        raise NotFound("This prescription has no image.")
    if page_index != 0:
        raise _no_page(page_index, 1)
    data = decode_legacy_image(image_data)
    content_type = (sniff(data[:64]) or JPEG).content_type
    return PageRef(content_type, f'"{hashlib.sha256(data).hexdigest()}"', data=data)


async def page_image(
    session: AsyncSession, storage: FileStorage, prescription_id: str, page_index: int = 0
) -> tuple[bytes, str, str]:
    """(bytes, content type, ETag) of one page, for stored and legacy rows alike."""
    ref = await page_ref(session, prescription_id, page_index)
    if ref.data is not None:
        return ref.data, ref.content_type, ref.etag
    assert ref.storage_key is not None
    try:
        data = await storage.read(ref.storage_key)
    except StorageKeyMissing as exc:
        raise NotFound("The stored image of this prescription is missing.") from exc
    return data, ref.content_type, ref.etag


async def page_stream(storage: FileStorage, ref: PageRef) -> AsyncIterator[bytes]:
    """The page's bytes in chunks (for a streaming response)."""
    if ref.data is not None:
        yield ref.data
        return
    assert ref.storage_key is not None
    async for chunk in storage.stream(ref.storage_key):
        yield chunk


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def store_legacy_image(
    storage: FileStorage, settings: Settings, image_data: str
) -> StoredDocument:
    """Decode, check and store a legacy base64 image like an upload (no rows written)."""
    data = decode_legacy_image(image_data)
    spooled = await spool(_one_chunk(data), temp_dir(settings.data_dir), settings.max_file_bytes)
    try:
        file_type = detect_type(spooled.head)
        limits = PageLimits(settings.max_pages_per_document, settings.max_image_pixels)
        return await render_and_store(
            storage, spooled.path, spooled.sha256, spooled.size, file_type, limits
        )
    finally:
        spooled.discard()


async def attach_document(
    session: AsyncSession, prescription: Prescription, stored: StoredDocument
) -> Document:
    """Link a prescription to the stored document (created unless its hash exists)."""
    document = await repository.document_by_sha(session, stored.sha256)
    if document is None:
        document = await repository.add_document(session, stored)
    prescription.document_id = document.id
    prescription.page_count = document.page_count
    prescription.content_type = document.content_type
    await session.flush()
    return document


async def ensure_document(
    session: AsyncSession, storage: FileStorage, settings: Settings, prescription: Prescription
) -> None:
    """Give a legacy row (base64 image, no document) a stored document, so workers only
    read from storage. Call before the transaction writes anything: the decoding then runs
    while it holds no lock. The base64 column is kept: the earlier app's data is not lost."""
    if prescription.document_id is not None:
        return
    image_data = await repository.legacy_image(session, prescription.id)
    if not image_data:
        raise Unprocessable("This prescription has no image to process.")
    stored = await store_legacy_image(storage, settings, image_data)
    await attach_document(session, prescription, stored)


async def import_legacy_document(
    db: Database, storage: FileStorage, settings: Settings, prescription_id: str
) -> str | None:
    """`ensure_document` in transactions of its own (for workers and start-up adoption):
    decoding happens between a read and one short write. Returns the document id."""
    async with db.sessions() as session:
        prescription = await _prescription(session, prescription_id)
        if prescription.document_id is not None:
            return prescription.document_id
        image_data = await repository.legacy_image(session, prescription_id)
    if not image_data:
        return None
    stored = await store_legacy_image(storage, settings, image_data)
    async with unit_of_work(db) as session:
        prescription = await _prescription(session, prescription_id)
        if prescription.document_id is None:
            await attach_document(session, prescription, stored)
        return prescription.document_id
