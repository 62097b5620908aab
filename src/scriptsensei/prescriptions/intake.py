"""Intake: uploaded files become stored documents and queued prescriptions.

For each file, in named steps: spool to a temp file under the size limit, detect the type
by content, look for a stored document with the same hash, decode every page (off the
event loop, outside any transaction), store the original and its pages, and only then one
short transaction creates the rows (document, prescription, queued run) and publishes
`prescription_created`. A failed transaction deletes the files it would have named.

Files are independent: a refused file is reported with its reason and leaves nothing
behind, and the other files of the same request go on.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.db import Database
from scriptsensei.core.errors import PayloadTooLarge
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.documents.errors import FileRejected, StorageFailed
from scriptsensei.documents.names import check_file_name, sanitize_file_name
from scriptsensei.documents.render import PageLimits
from scriptsensei.documents.spool import ChunkSource, SpooledFile, spool, temp_dir
from scriptsensei.documents.storage import FileStorage
from scriptsensei.documents.store import StoredDocument, render_and_store, restore_missing
from scriptsensei.documents.types import FileType, detect_type
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.jobs.queue import RunRequest, enqueue_run
from scriptsensei.models import Document, Prescription
from scriptsensei.models.types import utcnow
from scriptsensei.prescriptions import repository
from scriptsensei.prescriptions.orphans import delete_unreferenced
from scriptsensei.prescriptions.run_config import resolve_run_request

log = structlog.get_logger(__name__)

NOT_SAVED = "The file could not be saved; nothing was kept. Try again in a moment."


@dataclass(frozen=True)
class IncomingFile:
    """One uploaded file: its client-given name (display only) and its bytes as an async
    iterable of chunks or an object with `async read(n)` such as starlette's UploadFile."""

    file_name: str | None
    source: ChunkSource

    @classmethod
    def from_upload(cls, upload: Any) -> IncomingFile:
        """From a starlette/FastAPI UploadFile (its declared content type is ignored)."""
        return cls(upload.filename, upload)


@dataclass(frozen=True)
class IntakeOptions:
    """Who uploads, from where, and how the new prescriptions are to be read. Engines,
    fields and prompts default to the config (`config_id`, else the default config)."""

    source: str = "upload"  # upload|api|legacy...
    uploaded_by: str | None = None
    selected_models: Sequence[str] | None = None
    custom_prompts: Mapping[str, Any] | None = None
    fields: Sequence[str] | None = None
    config_id: str | None = None


@dataclass(frozen=True)
class IntakeContext:
    db: Database
    storage: FileStorage
    settings: Settings
    known_engines: Collection[str]  # the engine registry's names


@dataclass
class FileOutcome:
    """What became of one file. `status`: created | linked (duplicate, policy `link`) |
    rejected (then `error` says why)."""

    file_name: str
    status: str
    prescription_id: str | None = None
    duplicate_of: list[str] = field(default_factory=list)
    error: FileRejected | None = None

    def as_dict(self) -> dict[str, Any]:
        """The API's per-file shape (camelCase)."""
        if self.error is not None:
            return {**self.error.body(), "fileName": self.file_name, "status": self.status}
        return {
            "id": self.prescription_id,
            "fileName": self.file_name,
            "status": self.status,
            "duplicateOf": self.duplicate_of,
        }


class _DocumentVanished(Exception):
    """The document a duplicate was to share was deleted meanwhile: store it afresh."""


async def intake_files(
    ctx: IntakeContext, files: Sequence[IncomingFile], options: IntakeOptions | None = None
) -> list[FileOutcome]:
    """Accept each file or report why not, in order. Raises (before reading anything)
    PayloadTooLarge for too many files, BadRequest/NotFound for invalid run options."""
    options = options or IntakeOptions()
    limit = ctx.settings.max_files_per_request
    if len(files) > limit:
        raise PayloadTooLarge(
            f"{len(files)} files were sent; the limit is {limit} files per request.",
            error="too_many_files",
        )
    run = await _run_request(ctx, options)
    return [await intake_file(ctx, incoming, run, options) for incoming in files]


async def _run_request(ctx: IntakeContext, options: IntakeOptions) -> RunRequest:
    async with ctx.db.sessions() as session:
        return await resolve_run_request(
            session,
            ctx.settings,
            options.selected_models,
            options.custom_prompts,
            options.fields,
            options.config_id,
            known_engines=ctx.known_engines,
            reason="upload",
            requested_by=options.uploaded_by,
        )


async def intake_file(
    ctx: IntakeContext, incoming: IncomingFile, run: RunRequest, options: IntakeOptions
) -> FileOutcome:
    """One file through every step; refusals become a rejected outcome."""
    name = sanitize_file_name(incoming.file_name)
    spooled: SpooledFile | None = None
    try:
        check_file_name(incoming.file_name)
        spooled = await spool(
            incoming.source, temp_dir(ctx.settings.data_dir), ctx.settings.max_file_bytes
        )
        file_type = detect_type(spooled.head)
        name = sanitize_file_name(incoming.file_name, file_type.extension)
        return await _accept(ctx, spooled, file_type, name, run, options)
    except FileRejected as exc:
        log.info("upload_rejected", file_name=name, error=exc.error, detail=exc.detail)
        return FileOutcome(name, "rejected", error=exc)
    finally:
        if spooled is not None:
            spooled.discard()


async def _accept(
    ctx: IntakeContext,
    spooled: SpooledFile,
    file_type: FileType,
    name: str,
    run: RunRequest,
    options: IntakeOptions,
) -> FileOutcome:
    existing, duplicate_of = await _find_duplicate(ctx.db, spooled.sha256)
    if duplicate_of and ctx.settings.duplicate_policy == "link":
        return FileOutcome(name, "linked", duplicate_of[0], duplicate_of)
    for attempt in range(2):
        # A duplicate shares the stored files; no decoding needed.
        stored = _as_stored(existing) if existing else await _store(ctx, spooled, file_type)
        try:
            prescription_id = await _commit(ctx, stored, name, file_type, run, options)
        except (_DocumentVanished, IntegrityError) as exc:
            # A concurrent upload stored the same document, or a delete removed it.
            await delete_unreferenced(ctx.db, ctx.storage, stored.created_keys)
            if attempt == 1:
                raise StorageFailed(NOT_SAVED) from exc
            existing, duplicate_of = await _find_duplicate(ctx.db, spooled.sha256)
            continue
        await _restore_files(ctx, stored)
        log.info("upload_accepted", prescription_id=prescription_id, sha256=spooled.sha256)
        return FileOutcome(name, "created", prescription_id, duplicate_of)
    raise AssertionError("unreachable")


async def _restore_files(ctx: IntakeContext, stored: StoredDocument) -> None:
    # A concurrent upload of the same content whose transaction failed may have removed
    # files it had written and this upload found in place; the rows now name them.
    try:
        restored = await restore_missing(ctx.storage, stored)
    except OSError:
        log.exception("upload_files_restore_failed", sha256=stored.sha256)
        return
    if restored:
        log.warning("upload_files_restored", sha256=stored.sha256, keys=len(restored))


async def _find_duplicate(db: Database, sha256: str) -> tuple[Document | None, list[str]]:
    async with db.sessions() as session:
        document = await repository.document_by_sha(session, sha256)
        if document is None:
            return None, []
        return document, await repository.prescriptions_of_document(session, document.id)


def _as_stored(document: Document) -> StoredDocument:
    return StoredDocument(
        document.sha256,
        document.storage_key,
        document.content_type,
        document.byte_size,
        pages=[],
    )


async def _store(ctx: IntakeContext, spooled: SpooledFile, file_type: FileType) -> StoredDocument:
    limits = PageLimits(ctx.settings.max_pages_per_document, ctx.settings.max_image_pixels)
    return await render_and_store(
        ctx.storage, spooled.path, spooled.sha256, spooled.size, file_type, limits
    )


async def _commit(
    ctx: IntakeContext,
    stored: StoredDocument,
    name: str,
    file_type: FileType,
    run: RunRequest,
    options: IntakeOptions,
) -> str:
    """The one short transaction; on failure the files it would have named are removed."""
    try:
        async with unit_of_work(ctx.db) as session:
            document = await _document_for(session, stored)
            prescription = await create_prescription(
                session, document, name, file_type.content_type, run, options
            )
            return prescription.id
    except (_DocumentVanished, IntegrityError):
        raise
    except SQLAlchemyError as exc:
        await delete_unreferenced(ctx.db, ctx.storage, stored.created_keys)
        if _database_unreachable(exc):
            raise
        log.exception("upload_not_saved", sha256=stored.sha256)
        raise StorageFailed(NOT_SAVED) from exc
    except BaseException:
        await delete_unreferenced(ctx.db, ctx.storage, stored.created_keys)
        raise


def _database_unreachable(exc: SQLAlchemyError) -> bool:
    # Left to the edge, which answers 503 for the whole request.
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


async def _document_for(session: AsyncSession, stored: StoredDocument) -> Document:
    document = await repository.document_by_sha(session, stored.sha256)
    if document is not None:
        return document
    if not stored.pages:
        raise _DocumentVanished(stored.sha256)
    return await repository.add_document(session, stored)


async def create_prescription(
    session: AsyncSession,
    document: Document,
    file_name: str,
    content_type: str,
    run: RunRequest,
    options: IntakeOptions,
) -> Prescription:
    """The prescription row for a stored document, its queued run, and the created event.
    Flushes only; the caller commits."""
    prescription = Prescription(
        file_name=file_name,
        file_size=str(document.byte_size),
        processing_status="queued",
        document_id=document.id,
        page_count=document.page_count,
        content_type=content_type,
        source=options.source,
        uploaded_by=options.uploaded_by,
        config_id=run.config_id,
        engines_total=len(run.engines),
        status_changed_at=utcnow(),
    )
    session.add(prescription)
    await session.flush()
    await enqueue_run(session, prescription.id, run)
    await publish(
        session,
        EventType.PRESCRIPTION_CREATED,
        prescription.id,
        status="queued",
        fileName=file_name,
    )
    return prescription
