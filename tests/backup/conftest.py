"""Fixtures for backup tests: a database with real rows and stored files, and a second,
empty place (database + file store) to restore into, as on a new host."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.documents.storage import original_key, page_key, storage_from_settings
from scriptsensei.models import Document, DocumentPage, ExtractionResult, Prescription, User
from tests.conftest import make_settings
from tests.support import databases


async def add_stored_prescription(settings: Settings, db: Database, index: int) -> str:
    """A prescription whose original and page live in the file store, with a result row."""
    storage = storage_from_settings(settings)
    content = f"original file {index}".encode() * 50
    sha = f"{index:064x}"
    await storage.put_bytes(original_key(sha), content)
    await storage.put_bytes(page_key(sha, 0), b"page image " + content)
    async with unit_of_work(db) as session:
        doc = Document(
            sha256=sha,
            storage_key=original_key(sha),
            content_type="image/png",
            byte_size=len(content),
            page_count=1,
        )
        session.add(doc)
        await session.flush()
        session.add(
            DocumentPage(
                document_id=doc.id,
                page_index=0,
                storage_key=page_key(sha, 0),
                sha256=sha,
                content_type="image/png",
                width=10,
                height=10,
            )
        )
        rx = Prescription(
            file_name=f"rx-{index}.png",
            file_size=str(len(content)),
            document_id=doc.id,
            processing_status="completed",
        )
        session.add(rx)
        await session.flush()
        session.add(
            ExtractionResult(
                prescription_id=rx.id,
                model_name="tesseract",
                field_name="patientDetails.patientName",
                extracted_value=f"Patient {index}",
                confidence=0.9,
            )
        )
        return rx.id


@pytest.fixture
async def populated(settings: Settings, db: Database) -> list[str]:
    ids = [await add_stored_prescription(settings, db, i) for i in range(1, 4)]
    async with unit_of_work(db) as session:
        session.add(User(username="admin", password_hash="x", role="admin"))
    return ids


@pytest.fixture
def new_host(db_backend: str, tmp_path: Path) -> Iterator[Settings]:
    """Settings for an empty database and an empty file store."""
    data_dir = tmp_path / "new-host"
    if db_backend == "postgres":
        with databases.empty_postgres_database() as url:
            yield make_settings(url, data_dir)
        return
    data_dir.mkdir()
    yield make_settings(databases.sqlite_url(data_dir), data_dir)
