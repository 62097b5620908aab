"""Page images are served for stored documents and for rows of the earlier app (base64 in
`image_data`); processing a legacy row first imports its image into storage."""

from __future__ import annotations

import base64
import hashlib

import pytest
from sqlalchemy import select

from scriptsensei.core.db import Database
from scriptsensei.core.errors import NotFound, Unprocessable
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.documents.errors import CorruptFile
from scriptsensei.documents.storage import LocalFileStorage, original_key
from scriptsensei.models import Document, Prescription
from scriptsensei.prescriptions import images, service
from scriptsensei.prescriptions.context import ServiceContext
from scriptsensei.prescriptions.intake import IntakeContext
from tests.documents import samples
from tests.prescriptions.conftest import stored_keys, upload_one

LEGACY_JPEG = samples.jpeg((40, 30))


async def _legacy_row(db: Database, image_data: str | None, status: str = "queued") -> str:
    async with unit_of_work(db) as session:
        row = Prescription(
            file_name="old.jpg",
            file_size="1234",
            processing_status=status,
            image_data=image_data,
            source="legacy",
        )
        session.add(row)
    return row.id


async def test_stored_pages_are_served_with_their_hash_as_etag(
    intake_ctx: IntakeContext, db: Database, storage: LocalFileStorage
) -> None:
    rx_id = await upload_one(intake_ctx, "two.pdf", samples.pdf(2, (72, 144)))
    async with db.sessions() as session:
        data, content_type, etag = await images.page_image(session, storage, rx_id, 1)
    assert content_type == "image/png"
    assert data.startswith(b"\x89PNG")
    assert etag == f'"{hashlib.sha256(data).hexdigest()}"'
    async with db.sessions() as session:
        ref = await images.page_ref(session, rx_id, 0)
        streamed = b"".join([c async for c in images.page_stream(storage, ref)])
    assert streamed.startswith(b"\x89PNG")
    with pytest.raises(NotFound, match="Page 3 does not exist"):
        async with db.sessions() as session:
            await images.page_image(session, storage, rx_id, 2)


async def test_a_missing_stored_file_is_not_found(
    intake_ctx: IntakeContext, db: Database, storage: LocalFileStorage
) -> None:
    rx_id = await upload_one(intake_ctx)
    for key in await stored_keys(storage):
        await storage.delete(key)
    with pytest.raises(NotFound, match="missing"):
        async with db.sessions() as session:
            await images.page_image(session, storage, rx_id, 0)


@pytest.mark.parametrize(
    "encoded",
    [
        base64.b64encode(LEGACY_JPEG).decode(),
        "data:image/jpeg;base64," + base64.b64encode(LEGACY_JPEG).decode(),
    ],
    ids=["plain", "data-url"],
)
async def test_legacy_base64_image_is_served(
    db: Database, storage: LocalFileStorage, encoded: str
) -> None:
    rx_id = await _legacy_row(db, encoded)
    async with db.sessions() as session:
        data, content_type, etag = await images.page_image(session, storage, rx_id)
    assert (data, content_type) == (LEGACY_JPEG, "image/jpeg")
    assert etag == f'"{hashlib.sha256(LEGACY_JPEG).hexdigest()}"'
    with pytest.raises(NotFound):
        async with db.sessions() as session:
            await images.page_image(session, storage, rx_id, 1)


async def test_prescription_without_any_image_is_not_found(
    db: Database, storage: LocalFileStorage
) -> None:
    rx_id = await _legacy_row(db, None)
    with pytest.raises(NotFound, match="no image"):
        async with db.sessions() as session:
            await images.page_image(session, storage, rx_id)


async def test_processing_a_legacy_row_imports_its_image_into_storage(
    db: Database, storage: LocalFileStorage, service_ctx: ServiceContext
) -> None:
    encoded = base64.b64encode(LEGACY_JPEG).decode()
    rx_id = await _legacy_row(db, encoded)
    async with unit_of_work(db) as session:
        run = await service.process(session, service_ctx, rx_id)
    assert run.status == "queued"
    async with db.sessions() as session:
        rx = await session.get(Prescription, rx_id)
        assert rx is not None
        document = await session.get(Document, rx.document_id)
    assert document is not None
    assert (rx.page_count, rx.content_type, rx.image_data) == (1, "image/jpeg", encoded)
    sha = hashlib.sha256(LEGACY_JPEG).hexdigest()
    assert document.storage_key == original_key(sha)
    assert await storage.read(original_key(sha)) == LEGACY_JPEG
    async with db.sessions() as session:
        _data, content_type, _etag = await images.page_image(session, storage, rx_id)
    assert content_type == "image/png"  # now the normalised page from storage


async def test_import_in_its_own_transactions_is_idempotent(
    db: Database, storage: LocalFileStorage, settings: Settings
) -> None:
    rx_id = await _legacy_row(db, base64.b64encode(LEGACY_JPEG).decode(), "failed")
    first = await images.import_legacy_document(db, storage, settings, rx_id)
    second = await images.import_legacy_document(db, storage, settings, rx_id)
    assert first is not None and first == second
    async with db.sessions() as session:
        assert len((await session.scalars(select(Document))).all()) == 1


async def test_legacy_failed_row_without_runs_can_be_retried(
    db: Database, service_ctx: ServiceContext
) -> None:
    rx_id = await _legacy_row(db, base64.b64encode(LEGACY_JPEG).decode(), "failed")
    async with unit_of_work(db) as session:
        run = await service.retry(session, service_ctx, rx_id)
    assert (run.reason, sorted(run.selected_engines)) == ("retry", ["rapidocr", "tesseract"])


async def test_legacy_row_with_a_corrupt_image_is_refused_and_stores_nothing(
    db: Database, storage: LocalFileStorage, service_ctx: ServiceContext
) -> None:
    rx_id = await _legacy_row(db, base64.b64encode(samples.truncated(LEGACY_JPEG)).decode())
    with pytest.raises(CorruptFile):
        async with unit_of_work(db) as session:
            await service.process(session, service_ctx, rx_id)
    assert await stored_keys(storage) == []


async def test_legacy_row_without_image_cannot_be_processed(
    db: Database, service_ctx: ServiceContext
) -> None:
    rx_id = await _legacy_row(db, None)
    with pytest.raises(Unprocessable, match="no image"):
        async with unit_of_work(db) as session:
            await service.process(session, service_ctx, rx_id)
