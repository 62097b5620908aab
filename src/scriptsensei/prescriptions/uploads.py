"""Uploads over HTTP: the files of a multipart form through intake, per-file outcomes with
one status for the whole request, and upload-and-process waiting on the event bus.

Status of `POST /api/prescriptions/upload`: 201 when every file was accepted; 207 when some
were and some were not (each file's outcome says which and why); when none was accepted,
the files' common status (400 empty, 413 too large, 415 unsupported type, 422 corrupt,
503 not saved) or 400 when their reasons differ. The body has the same shape in every case.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer
from starlette.requests import HTTPConnection

from scriptsensei.api.multipart import UploadForm
from scriptsensei.audit.service import record
from scriptsensei.auth.principal import Principal
from scriptsensei.core.errors import BadRequest, NotFound
from scriptsensei.core.runtime import Runtime
from scriptsensei.documents.errors import status_of_rejection
from scriptsensei.models import Prescription
from scriptsensei.prescriptions.completion import Outcome, read_outcome, watch_completions
from scriptsensei.prescriptions.context import intake_context
from scriptsensei.prescriptions.intake import FileOutcome, IncomingFile, IntakeOptions, intake_files
from scriptsensei.prescriptions.schemas import (
    FileOutcomeOut,
    ModelResult,
    PendingResult,
    PrescriptionOut,
    ProcessedResult,
    UploadResult,
)


def form_options(form: UploadForm, principal: Principal) -> IntakeOptions:
    """Engines, fields, prompts and config named in the form (the config fills the rest)."""
    return IntakeOptions(
        source="api" if principal.type == "api_key" else "upload",
        uploaded_by=principal.name,
        selected_models=form.names("selectedModels"),
        custom_prompts=form.mapping("customPrompts"),
        fields=form.names("selectedFields"),
        config_id=form.text("configId") or None,
    )


def _outcome_out(outcome: FileOutcome) -> FileOutcomeOut:
    if outcome.error is not None:
        return FileOutcomeOut(
            fileName=outcome.file_name,
            status=outcome.status,
            error=outcome.error.error,
            detail=outcome.error.detail,
        )
    return FileOutcomeOut(
        fileName=outcome.file_name,
        status=outcome.status,
        id=outcome.prescription_id,
        duplicateOf=outcome.duplicate_of,
    )


async def _rows(session: AsyncSession, ids: Sequence[str]) -> list[Prescription]:
    if not ids:
        return []
    found = await session.scalars(
        select(Prescription)
        .options(defer(Prescription.image_data, raiseload=True))
        .where(Prescription.id.in_(list(ids)))
    )
    by_id = {row.id: row for row in found}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


async def _audit_created(
    session: AsyncSession,
    principal: Principal,
    request: HTTPConnection,
    outcomes: list[FileOutcome],
) -> None:
    for outcome in outcomes:
        if outcome.status == "created" and outcome.prescription_id:
            detail = {"fileName": outcome.file_name}
            await record(
                session, principal, "prescription.create", "prescription",
                outcome.prescription_id, detail, request,
            )  # fmt: skip


async def upload_files(
    session: AsyncSession,
    runtime: Runtime,
    form: UploadForm,
    principal: Principal,
    request: HTTPConnection,
) -> UploadResult:
    options = form_options(form, principal)
    incoming = [IncomingFile.from_upload(upload) for upload in form.files]
    outcomes = await intake_files(intake_context(runtime), incoming, options)
    await _audit_created(session, principal, request, outcomes)
    ids = [o.prescription_id for o in outcomes if o.prescription_id and o.error is None]
    rows = await _rows(session, ids)
    rejected = sum(1 for o in outcomes if o.error is not None)
    files = [_outcome_out(o) for o in outcomes]
    error, detail = _refusal(files) if rejected == len(outcomes) else (None, None)
    return UploadResult(
        files=files,
        accepted=len(outcomes) - rejected,
        rejected=rejected,
        prescriptions=[PrescriptionOut.of(row) for row in rows],
        error=error,
        detail=detail,
    )


def _refusal(files: list[FileOutcomeOut]) -> tuple[str, str]:
    """The request's error when no file was accepted: the files' reason when they share
    one, else a summary pointing at each file's own reason."""
    if len(files) == 1:
        return files[0].error or "file_rejected", files[0].detail or "The file was refused."
    codes = {f.error or "file_rejected" for f in files}
    code = codes.pop() if len(codes) == 1 else "files_rejected"
    return code, f"None of the {len(files)} files was accepted; each file's reason is in files."


def upload_status(result: UploadResult) -> int:
    if result.rejected == 0:
        return 201
    if result.accepted:
        return 207
    codes = {status_of_rejection(f.error or "") for f in result.files}
    return codes.pop() if len(codes) == 1 else 400


def _model_results(outcome: Outcome) -> dict[str, ModelResult]:
    out: dict[str, ModelResult] = {}
    for run in outcome.engine_runs:
        values = {
            r.field_name: r.extracted_value for r in outcome.results if r.engine_run_id == run.id
        }
        out[run.engine_name] = ModelResult(
            status=run.status,
            error=run.error,
            durationMs=run.duration_ms,
            costUsd=run.cost_usd,
            values=values,
        )
    return out


def processed_result(outcome: Outcome) -> ProcessedResult:
    rx = outcome.prescription
    return ProcessedResult(
        id=rx.id,
        status=rx.processing_status,
        fileName=rx.file_name,
        extractedData=rx.extracted_data,
        modelResults=_model_results(outcome),
        error=rx.error,
        reviewStatus=rx.review_status,
        fieldsNeedingReview=rx.fields_needing_review,
    )


async def _current(runtime: Runtime, prescription_id: str) -> Outcome:
    async with runtime.db.sessions() as session:
        outcome = await read_outcome(session, prescription_id)
    if outcome is None:
        raise NotFound("The prescription was deleted while it was being processed.")
    return outcome


async def _accept_one(
    session: AsyncSession,
    runtime: Runtime,
    form: UploadForm,
    options: IntakeOptions,
    principal: Principal,
    request: HTTPConnection,
) -> str:
    if len(form.files) != 1:
        raise BadRequest(
            "upload-and-process takes exactly one file; use /api/prescriptions/upload for several."
        )
    [outcome] = await intake_files(
        intake_context(runtime), [IncomingFile.from_upload(form.files[0])], options
    )
    if outcome.error is not None:
        raise outcome.error
    await _audit_created(session, principal, request, [outcome])
    await session.commit()  # the wait below holds no transaction
    assert outcome.prescription_id is not None
    return outcome.prescription_id


async def process_and_wait(
    session: AsyncSession,
    runtime: Runtime,
    form: UploadForm,
    options: IntakeOptions,
    principal: Principal,
    request: HTTPConnection,
) -> tuple[int, BaseModel]:
    """Accept one file and wait for its completed or failed event, up to
    `settings.upload_and_process_timeout`: (200, result) or (202, where to look later)."""
    async with watch_completions(runtime.db) as watch:
        prescription_id = await _accept_one(session, runtime, form, options, principal, request)
        outcome = await _current(runtime, prescription_id)
        if not outcome.finished:
            await watch.wait(prescription_id, runtime.settings.upload_and_process_timeout)
            outcome = await _current(runtime, prescription_id)
    if outcome.finished:
        return 200, processed_result(outcome)
    rx = outcome.prescription
    status_url = f"/api/prescriptions/{rx.id}"
    return 202, PendingResult(
        id=rx.id, status=rx.processing_status, fileName=rx.file_name, statusUrl=status_url
    )
