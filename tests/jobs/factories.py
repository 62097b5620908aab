"""Plain `create_*` functions for queue tests: prescriptions with stored page images."""

from __future__ import annotations

import asyncio
import hashlib
import io
import time
from collections.abc import Sequence

from PIL import Image
from sqlalchemy import func, select

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.jobs.queue import RunRequest, enqueue_run
from scriptsensei.models import Document, DocumentPage, EngineRun, Prescription


def page_png(seed: int = 0) -> bytes:
    image = Image.new("RGB", (60, 40), (255, 255 - seed % 200, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def store_file(settings: Settings, data: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    key = f"pages/{digest[:2]}/{digest}.png"
    path = settings.storage_dir / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return key, digest


async def create_prescription(db: Database, settings: Settings, seed: int = 0) -> str:
    """A prescription whose document has one stored page (as intake leaves it)."""
    data = page_png(seed)
    key, digest = store_file(settings, data)
    async with unit_of_work(db) as session:
        document = (
            await session.execute(select(Document).where(Document.sha256 == digest))
        ).scalar_one_or_none()
        if document is None:
            document = Document(sha256=digest, storage_key=key, content_type="image/png",
                                byte_size=len(data), page_count=1)  # fmt: skip
            session.add(document)
            await session.flush()
            session.add(DocumentPage(document_id=document.id, page_index=0, storage_key=key,
                                     sha256=digest, content_type="image/png", width=60, height=40))  # fmt: skip
        prescription = Prescription(file_name=f"rx-{seed}.png", file_size=str(len(data)),
                                    document_id=document.id, page_count=1, content_type="image/png")  # fmt: skip
        session.add(prescription)
        await session.flush()
        return prescription.id


async def enqueue(
    db: Database, prescription_id: str, engines: Sequence[str], **options: object
) -> str:
    async with unit_of_work(db) as session:
        run = await enqueue_run(session, prescription_id, RunRequest(engines=engines, **options))  # type: ignore[arg-type]
        return run.id


async def create_and_enqueue(
    db: Database, settings: Settings, engines: Sequence[str], seed: int = 0, **options: object
) -> tuple[str, str]:
    prescription_id = await create_prescription(db, settings, seed)
    return prescription_id, await enqueue(db, prescription_id, engines, **options)


async def unfinished_runs(db: Database) -> int:
    async with db.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(EngineRun)
            .where(EngineRun.status.in_(["queued", "running"]))
        )
    return int(count or 0)


async def wait_until_settled(db: Database, timeout: float = 90.0) -> None:
    """Until no engine run is queued or running (fails the test after `timeout`)."""
    deadline = time.monotonic() + timeout
    while await unfinished_runs(db):
        if time.monotonic() > deadline:
            raise AssertionError(f"runs still unfinished after {timeout}s")
        await asyncio.sleep(0.05)


async def wait_for(db: Database, query: object, expected: object, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        async with db.sessions() as session:
            value = await session.scalar(query)  # type: ignore[call-overload]
        if value == expected:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {expected!r}, still {value!r} after {timeout}s")
        await asyncio.sleep(0.05)
