"""Operations on one prescription: read, process, retry, reprocess, cancel, delete.

Each takes the caller's session (the edge owns the transaction: these only flush), raises
AppError subclasses a client can act on (NotFound, Conflict 409, BadRequest), and publishes
its event in the same transaction so it goes out only after commit. Listing lives in
`listing.py`, intake of uploads in `intake.py`, page images in `images.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.db import database_of
from scriptsensei.core.errors import BadRequest, Conflict, NotFound
from scriptsensei.core.transaction import on_commit
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.jobs.queue import RunRequest, enqueue_run
from scriptsensei.models import (
    Document,
    EngineRun,
    ExtractionResult,
    Prescription,
    ProcessingRun,
)
from scriptsensei.models.types import utcnow
from scriptsensei.prescriptions import repository
from scriptsensei.prescriptions.context import ServiceContext
from scriptsensei.prescriptions.images import ensure_document
from scriptsensei.prescriptions.orphans import delete_unreferenced
from scriptsensei.prescriptions.run_config import resolve_run_request

CANCELLED = "Processing was cancelled."


@dataclass(frozen=True)
class ProcessOptions:
    """The earlier app's `selectedModels` / `customPrompts`, plus fields and a config.
    Anything left None comes from the config (`config_id`, else the default config)."""

    selected_models: Sequence[str] | None = None
    custom_prompts: Mapping[str, Any] | None = None
    fields: Sequence[str] | None = None
    config_id: str | None = None
    requested_by: str | None = None


@dataclass
class PrescriptionDetail:
    prescription: Prescription
    results: list[ExtractionResult]  # every engine's value for every field, oldest first
    runs: list[ProcessingRun] = field(default_factory=list)  # oldest first
    engine_runs: list[EngineRun] = field(default_factory=list)  # of the latest run


async def require(session: AsyncSession, prescription_id: str) -> Prescription:
    """The prescription (without its legacy base64 image), or NotFound."""
    prescription = await repository.get_prescription(session, prescription_id)
    if prescription is None:
        raise NotFound(f"There is no prescription with id '{prescription_id}'.")
    return prescription


async def get_prescription(session: AsyncSession, prescription_id: str) -> PrescriptionDetail:
    """The prescription with its extraction results, its runs and the latest run's engines."""
    prescription = await require(session, prescription_id)
    runs = await repository.runs_of(session, prescription_id)
    engine_runs = await repository.engine_runs_of(session, runs[-1].id) if runs else []
    results = await repository.results_of(session, prescription_id)
    return PrescriptionDetail(prescription, results, runs, engine_runs)


async def _refuse_if_active(session: AsyncSession, prescription_id: str) -> None:
    if await repository.active_run(session, prescription_id) is not None:
        raise Conflict(
            "This prescription is already queued or being processed; wait for it to "
            "finish or cancel it first."
        )


async def _start_run(
    session: AsyncSession, prescription: Prescription, request: RunRequest
) -> ProcessingRun:
    """Lock the row, re-check under the lock, enqueue, and mark the prescription queued."""
    await repository.lock_prescription(session, prescription.id)
    await _refuse_if_active(session, prescription.id)
    run = await enqueue_run(session, prescription.id, request)
    prescription.processing_status = "queued"
    prescription.engines_total = len(request.engines)
    prescription.engines_done = 0
    prescription.engines_failed = 0
    prescription.error = None
    prescription.status_changed_at = utcnow()
    await session.flush()
    await publish(
        session,
        EventType.PRESCRIPTION_UPDATED,
        prescription.id,
        status="queued",
        runId=run.id,
        reason=request.reason,
        enginesTotal=len(request.engines),
    )
    return run


async def _new_run(
    session: AsyncSession,
    ctx: ServiceContext,
    prescription_id: str,
    options: ProcessOptions,
    reason: str,
) -> ProcessingRun:
    prescription = await require(session, prescription_id)
    await _refuse_if_active(session, prescription_id)
    request = await resolve_run_request(
        session,
        ctx.settings,
        options.selected_models,
        options.custom_prompts,
        options.fields,
        options.config_id,
        known_engines=ctx.known_engines,
        reason=reason,
        requested_by=options.requested_by,
    )
    # Before any write: a legacy row's image is decoded while no lock is held.
    await ensure_document(session, ctx.storage, ctx.settings, prescription)
    return await _start_run(session, prescription, request)


async def process(
    session: AsyncSession,
    ctx: ServiceContext,
    prescription_id: str,
    options: ProcessOptions | None = None,
) -> ProcessingRun:
    """Queue a run with the chosen engines, fields and prompts (defaults: the config).
    409 while a run is queued or processing; 400 for an unknown engine or field."""
    return await _new_run(session, ctx, prescription_id, options or ProcessOptions(), "process")


async def reprocess(
    session: AsyncSession,
    ctx: ServiceContext,
    prescription_id: str,
    options: ProcessOptions | None = None,
) -> ProcessingRun:
    """A new run; earlier runs and every value they produced are kept for history."""
    return await _new_run(session, ctx, prescription_id, options or ProcessOptions(), "reprocess")


async def _engines_to_retry(
    session: AsyncSession, prescription: Prescription, latest: ProcessingRun
) -> list[str]:
    engine_runs = await repository.engine_runs_of(session, latest.id)
    wanted = ("failed", "cancelled") if prescription.processing_status == "failed" else ("failed",)
    return list(dict.fromkeys(r.engine_name for r in engine_runs if r.status in wanted))


def _retry_request(
    latest: ProcessingRun, engines: list[str], ctx: ServiceContext, requested_by: str | None
) -> RunRequest:
    unknown = [e for e in engines if e not in ctx.known_engines]
    if unknown:
        raise BadRequest(
            f"Engine {', '.join(unknown)} is no longer available on this server; "
            "reprocess with other engines instead."
        )
    return RunRequest(
        engines=engines,
        fields=list(latest.selected_fields or []),
        custom_prompts=dict(latest.custom_prompts or {}),
        agreement_threshold=latest.agreement_threshold,
        confidence_threshold=latest.confidence_threshold,
        config_id=latest.config_id,
        reason="retry",
        requested_by=requested_by,
        max_attempts=ctx.settings.run_max_attempts,
    )


_NOTHING_TO_RETRY = (
    "Only a failed prescription, or a completed one with a failed engine, can be retried."
)


async def retry(
    session: AsyncSession,
    ctx: ServiceContext,
    prescription_id: str,
    requested_by: str | None = None,
) -> ProcessingRun:
    """Re-run the engines that failed in the latest run, with its fields and prompts: for
    a failed prescription, or a completed one where an engine failed. 409 otherwise. A
    failed row of the earlier app (no runs) is retried with the default config."""
    prescription = await require(session, prescription_id)
    await _refuse_if_active(session, prescription_id)
    if prescription.processing_status not in ("failed", "completed"):
        raise Conflict(_NOTHING_TO_RETRY)
    latest = await repository.latest_run(session, prescription_id)
    if latest is None:
        if prescription.processing_status != "failed":
            raise Conflict(_NOTHING_TO_RETRY)
        return await _new_run(
            session, ctx, prescription_id, ProcessOptions(requested_by=requested_by), "retry"
        )
    engines = await _engines_to_retry(session, prescription, latest)
    if not engines:
        raise Conflict(_NOTHING_TO_RETRY)
    request = _retry_request(latest, engines, ctx, requested_by)
    await ensure_document(session, ctx.storage, ctx.settings, prescription)
    return await _start_run(session, prescription, request)


async def _had_completed_run(session: AsyncSession, prescription_id: str, run_id: str) -> bool:
    found = await session.scalar(
        select(func.count())
        .select_from(ProcessingRun)
        .where(
            ProcessingRun.prescription_id == prescription_id,
            ProcessingRun.id != run_id,
            ProcessingRun.status == "completed",
        )
    )
    return bool(found)


async def _cancel_engine_runs(session: AsyncSession, run: ProcessingRun, now: datetime) -> None:
    # Workers check the status of their engine run before writing results.
    await session.execute(
        update(EngineRun)
        .where(
            EngineRun.processing_run_id == run.id,
            EngineRun.status.in_(repository.ACTIVE_ENGINE_STATUSES),
        )
        .values(status="cancelled", finished_at=now, error=CANCELLED, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )


async def cancel(
    session: AsyncSession, prescription_id: str, requested_by: str | None = None
) -> ProcessingRun:
    """Cancel the queued or processing run and its queued/running engine runs. The
    prescription goes back to `completed` if an earlier run completed, else `failed`
    (so it can be retried). 409 when nothing is queued or processing."""
    prescription = await require(session, prescription_id)
    await repository.lock_prescription(session, prescription_id)
    run = await repository.active_run(session, prescription_id)
    if run is None:
        raise Conflict("This prescription is not queued or being processed; nothing to cancel.")
    now = utcnow()
    run.status, run.finished_at, run.error = "cancelled", now, CANCELLED
    await _cancel_engine_runs(session, run, now)
    completed_before = await _had_completed_run(session, prescription_id, run.id)
    prescription.processing_status = "completed" if completed_before else "failed"
    prescription.error = None if completed_before else CANCELLED
    prescription.status_changed_at = now
    await session.flush()
    event = EventType.PRESCRIPTION_UPDATED if completed_before else EventType.PRESCRIPTION_FAILED
    await publish(
        session,
        event,
        prescription_id,
        status=prescription.processing_status,
        runId=run.id,
        cancelled=True,
        cancelledBy=requested_by,
    )
    return run


async def _release_document(session: AsyncSession, ctx: ServiceContext, document_id: str) -> None:
    """Delete the document when no prescription names it any more; its files go after
    commit, and only if no row names them by then."""
    if await repository.prescriptions_of_document(session, document_id):
        return
    document = await session.get(Document, document_id)
    if document is None:
        return
    pages = await repository.document_pages(session, document_id)
    keys = [document.storage_key, *(page.storage_key for page in pages)]
    await session.execute(sql_delete(Document).where(Document.id == document_id))
    db = database_of(session)

    async def delete_files() -> None:
        await delete_unreferenced(db, ctx.storage, keys)

    on_commit(session, delete_files)


async def delete(session: AsyncSession, ctx: ServiceContext, prescription_id: str) -> None:
    """Delete the prescription with its runs, values and reviews (database cascade), and
    its stored files when no other prescription uses them (after commit)."""
    prescription = await require(session, prescription_id)
    document_id = prescription.document_id
    await session.execute(sql_delete(Prescription).where(Prescription.id == prescription_id))
    session.expunge(prescription)
    if document_id is not None:
        await _release_document(session, ctx, document_id)
    await publish(session, EventType.PRESCRIPTION_DELETED, prescription_id)
