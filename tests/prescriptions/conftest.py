"""Fixtures for intake and prescription services: real databases, real local storage."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.documents.storage import LocalFileStorage
from scriptsensei.models import Document, DocumentPage, EngineRun, Prescription, ProcessingRun
from scriptsensei.prescriptions import repository
from scriptsensei.prescriptions.context import ServiceContext
from scriptsensei.prescriptions.intake import IncomingFile, IntakeContext, intake_files
from tests.documents import samples

ENGINES = frozenset({"tesseract", "rapidocr", "openai"})


@pytest.fixture
def storage(settings: Settings) -> LocalFileStorage:
    return LocalFileStorage(settings.storage_dir)


@pytest.fixture
def intake_ctx(db: Database, storage: LocalFileStorage, settings: Settings) -> IntakeContext:
    return IntakeContext(db, storage, settings, ENGINES)


@pytest.fixture
def service_ctx(storage: LocalFileStorage, settings: Settings) -> ServiceContext:
    return ServiceContext(settings, storage, ENGINES)


async def chunks(data: bytes, size: int = 100_000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def incoming(name: str | None, data: bytes) -> IncomingFile:
    return IncomingFile(name, chunks(data))


async def stored_keys(storage: LocalFileStorage) -> list[str]:
    return [key async for key in storage.iter_keys()]


def temp_files(settings: Settings) -> list[Path]:
    directory = settings.data_dir / "tmp" / "uploads"
    return list(directory.iterdir()) if directory.exists() else []


async def row_counts(db: Database) -> dict[str, int]:
    counts = {}
    async with db.sessions() as session:
        for model in (Prescription, Document, DocumentPage, ProcessingRun, EngineRun):
            counts[model.__tablename__] = int(
                await session.scalar(select(func.count()).select_from(model)) or 0
            )
    return counts


NO_ROWS = {
    "prescriptions": 0,
    "documents": 0,
    "document_pages": 0,
    "processing_runs": 0,
    "engine_runs": 0,
}


async def upload_one(ctx: IntakeContext, name: str = "rx.png", data: bytes | None = None) -> str:
    [outcome] = await intake_files(ctx, [incoming(name, data or samples.png())])
    assert outcome.prescription_id is not None, outcome.as_dict()
    return outcome.prescription_id


async def finish_latest_run(db: Database, prescription_id: str, engines: dict[str, str]) -> None:
    """What a worker's roll-up leaves behind: engine runs succeeded/failed, the run and the
    prescription completed when one engine succeeded, else failed."""
    status = "completed" if "succeeded" in engines.values() else "failed"
    async with unit_of_work(db) as session:
        run = await repository.latest_run(session, prescription_id)
        assert run is not None
        for engine_run in await repository.engine_runs_of(session, run.id):
            engine_run.status = engines[engine_run.engine_name]
        run.status = status
        rx = await session.get(Prescription, prescription_id)
        assert rx is not None
        rx.processing_status = status
