"""Queries on prescriptions, their documents and runs. No business rules here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from scriptsensei.documents.store import StoredDocument
from scriptsensei.models import (
    Document,
    DocumentPage,
    EngineRun,
    ExtractionConfig,
    ExtractionResult,
    Prescription,
    ProcessingRun,
)
from scriptsensei.models.types import utcnow

ACTIVE_RUN_STATUSES = ("queued", "processing")
ACTIVE_ENGINE_STATUSES = ("queued", "running")

# Never carried by a read unless asked for: the legacy base64 image can be megabytes.
WITHOUT_IMAGE = defer(Prescription.image_data, raiseload=True)


async def get_prescription(
    session: AsyncSession, prescription_id: str, *, with_image: bool = False
) -> Prescription | None:
    options = [] if with_image else [WITHOUT_IMAGE]
    return await session.get(Prescription, prescription_id, options=options)


async def lock_prescription(session: AsyncSession, prescription_id: str) -> bool:
    """Take the row's write lock for the rest of the transaction (PostgreSQL: the row;
    SQLite: the database), so two requests cannot both start a run. False if absent."""
    result = await session.execute(
        update(Prescription)
        .where(Prescription.id == prescription_id)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def legacy_image(session: AsyncSession, prescription_id: str) -> str | None:
    return await session.scalar(
        select(Prescription.image_data).where(Prescription.id == prescription_id)
    )


async def document_by_sha(session: AsyncSession, sha256: str) -> Document | None:
    return await session.scalar(select(Document).where(Document.sha256 == sha256))


async def prescriptions_of_document(session: AsyncSession, document_id: str) -> list[str]:
    rows = await session.scalars(
        select(Prescription.id)
        .where(Prescription.document_id == document_id)
        .order_by(Prescription.uploaded_at, Prescription.id)
    )
    return list(rows)


async def document_pages(session: AsyncSession, document_id: str) -> list[DocumentPage]:
    rows = await session.scalars(
        select(DocumentPage)
        .where(DocumentPage.document_id == document_id)
        .order_by(DocumentPage.page_index)
    )
    return list(rows)


async def document_page(
    session: AsyncSession, document_id: str, page_index: int
) -> DocumentPage | None:
    return await session.scalar(
        select(DocumentPage).where(
            DocumentPage.document_id == document_id, DocumentPage.page_index == page_index
        )
    )


async def storage_keys_in_use(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of `keys` a document or a page row still names."""
    if not keys:
        return set()
    originals = await session.scalars(
        select(Document.storage_key).where(Document.storage_key.in_(keys))
    )
    pages = await session.scalars(
        select(DocumentPage.storage_key).where(DocumentPage.storage_key.in_(keys))
    )
    return set(originals) | set(pages)


async def default_config(session: AsyncSession) -> ExtractionConfig | None:
    return await session.scalar(
        select(ExtractionConfig)
        .where(ExtractionConfig.is_default.is_(True))
        .order_by(ExtractionConfig.created_at.desc(), ExtractionConfig.id)
        .limit(1)
    )


async def active_run(session: AsyncSession, prescription_id: str) -> ProcessingRun | None:
    return await session.scalar(
        select(ProcessingRun)
        .where(
            ProcessingRun.prescription_id == prescription_id,
            ProcessingRun.status.in_(ACTIVE_RUN_STATUSES),
        )
        .order_by(ProcessingRun.created_at.desc(), ProcessingRun.id.desc())
        .limit(1)
    )


async def latest_run(session: AsyncSession, prescription_id: str) -> ProcessingRun | None:
    return await session.scalar(
        select(ProcessingRun)
        .where(ProcessingRun.prescription_id == prescription_id)
        .order_by(ProcessingRun.created_at.desc(), ProcessingRun.id.desc())
        .limit(1)
    )


async def runs_of(session: AsyncSession, prescription_id: str) -> list[ProcessingRun]:
    rows = await session.scalars(
        select(ProcessingRun)
        .where(ProcessingRun.prescription_id == prescription_id)
        .order_by(ProcessingRun.created_at, ProcessingRun.id)
    )
    return list(rows)


async def engine_runs_of(session: AsyncSession, processing_run_id: str) -> list[EngineRun]:
    rows = await session.scalars(
        select(EngineRun)
        .where(EngineRun.processing_run_id == processing_run_id)
        .order_by(EngineRun.created_at, EngineRun.engine_name)
    )
    return list(rows)


async def results_of(session: AsyncSession, prescription_id: str) -> list[ExtractionResult]:
    rows = await session.scalars(
        select(ExtractionResult)
        .where(ExtractionResult.prescription_id == prescription_id)
        .order_by(ExtractionResult.created_at, ExtractionResult.id)
    )
    return list(rows)


async def count_prescriptions(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Prescription)) or 0)


async def add_document(session: AsyncSession, stored: StoredDocument) -> Document:
    """A Document row and its page rows for files already in storage."""
    document = Document(
        sha256=stored.sha256,
        storage_key=stored.storage_key,
        content_type=stored.content_type,
        byte_size=stored.byte_size,
        page_count=stored.page_count,
    )
    session.add(document)
    await session.flush()
    for page in stored.pages:
        session.add(
            DocumentPage(
                document_id=document.id,
                page_index=page.index,
                storage_key=page.storage_key,
                sha256=page.sha256,
                content_type=page.content_type,
                width=page.width,
                height=page.height,
            )
        )
    await session.flush()
    return document
