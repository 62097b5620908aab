"""Prescription endpoints: the earlier app's paths and shapes, and the better ones beside.

Handlers parse, call one service function and shape the answer. Reads of a prescription's
data (lists, detail, image) and every change are recorded in the audit log.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.api.caching import IMAGE_MAX_AGE, not_modified
from scriptsensei.api.filters import prescription_filters
from scriptsensei.api.multipart import upload_form
from scriptsensei.api.responses import error_responses, set_next_page
from scriptsensei.audit.service import record, record_list_read
from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.core.errors import NotFound
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime
from scriptsensei.documents.component import storage_of
from scriptsensei.prescriptions import service
from scriptsensei.prescriptions.context import service_context
from scriptsensei.prescriptions.images import page_ref, page_stream
from scriptsensei.prescriptions.listing import PrescriptionFilters, list_prescriptions
from scriptsensei.prescriptions.schemas import (
    Deleted,
    ExtractionResultOut,
    PendingResult,
    PrescriptionOut,
    PrescriptionWithResults,
    ProcessedResult,
    ProcessRequest,
    RunQueued,
    UploadResult,
)
from scriptsensei.prescriptions.uploads import (
    form_options,
    process_and_wait,
    upload_files,
    upload_status,
)
from scriptsensei.review.schemas import PrescriptionDetailOut
from scriptsensei.review.service import review_view

router = APIRouter(tags=["prescriptions"])

# Far above any document's page count; keeps absurd numbers out of integer columns.
MAX_PAGE_NUMBER = 100_000

READ = require(Permission.PRESCRIPTIONS_READ)
PROCESS = require(Permission.PRESCRIPTIONS_PROCESS)
DELETE = require(Permission.PRESCRIPTIONS_DELETE)

_MULTIPART_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "selectedModels": {"type": "string", "description": "JSON array or a,b"},
                        "selectedFields": {"type": "string", "description": "JSON array or a,b"},
                        "customPrompts": {"type": "string", "description": "JSON object"},
                        "configId": {"type": "string"},
                    },
                }
            }
        },
    }
}


async def _audit_read(
    session: AsyncSession, principal: Principal, request: Request, rx_id: str, view: str
) -> None:
    await record(
        session, principal, "prescription.read", "prescription", rx_id, {"view": view}, request
    )


@router.get(
    "/api/prescriptions",
    response_model=list[PrescriptionOut],
    summary="Prescriptions, newest first; the next page's cursor is in Link and X-Next-Cursor",
    responses=error_responses(400, 422),
)
async def list_all(
    request: Request,
    response: Response,
    cursor: str | None = Query(None, max_length=200),
    limit: int | None = Query(None, description="Default 50, at most 200"),
    includeData: bool = Query(True, description="false: extractedData is null (lighter)"),
    principal: Principal = Depends(READ),
    filters: PrescriptionFilters = Depends(prescription_filters),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> list[PrescriptionOut]:
    page = await list_prescriptions(session, filters, cursor, limit, with_data=includeData)
    rows = len(page.items)
    await record_list_read(
        session, principal, "list", filters, rows, request, includeData=includeData, cursor=cursor
    )
    set_next_page(request, response, page.next_cursor)
    return [PrescriptionOut.of(row) for row in page.items]


@router.post(
    "/api/prescriptions/upload",
    response_model=UploadResult,
    status_code=201,
    summary="Upload files (field `files`): 201 all accepted, 207 some, 4xx none",
    responses={
        207: {"model": UploadResult, "description": "Some files were rejected (see files)"},
        **error_responses(400, 404, 413, 415, 422),
    },
    openapi_extra=_MULTIPART_BODY,
)
async def upload(
    request: Request,
    principal: Principal = Depends(PROCESS),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    await session.commit()  # no transaction held open while files arrive
    async with upload_form(request, runtime.settings) as form:
        result = await upload_files(session, runtime, form, principal, request)
    return Response(
        result.model_dump_json(exclude_none=False),
        status_code=upload_status(result),
        media_type="application/json",
    )


@router.post(
    "/api/prescriptions/upload-and-process",
    response_model=ProcessedResult,
    summary="Upload one file and wait for its result (202 with statusUrl on time-out)",
    responses={
        202: {"model": PendingResult, "description": "Still processing; follow statusUrl"},
        **error_responses(400, 404, 413, 415, 422),
    },
    openapi_extra=_MULTIPART_BODY,
)
async def upload_and_process(
    request: Request,
    principal: Principal = Depends(PROCESS),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    await session.commit()
    async with upload_form(request, runtime.settings) as form:
        options = form_options(form, principal)
        status, body = await process_and_wait(session, runtime, form, options, principal, request)
    return Response(body.model_dump_json(), status_code=status, media_type="application/json")


@router.get(
    "/api/prescriptions/{prescription_id}",
    response_model=PrescriptionWithResults,
    summary="The earlier app's shape: {prescription, extractionResults}",
    responses=error_responses(404),
)
async def get_one(
    prescription_id: str,
    request: Request,
    principal: Principal = Depends(READ),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> PrescriptionWithResults:
    detail = await service.get_prescription(session, prescription_id)
    await _audit_read(session, principal, request, prescription_id, "prescription")
    return PrescriptionWithResults(
        prescription=PrescriptionOut.of(detail.prescription),
        extractionResults=[ExtractionResultOut.of(r) for r in detail.results],
    )


@router.get(
    "/api/prescriptions/{prescription_id}/detail",
    response_model=PrescriptionDetailOut,
    summary="Runs, engine runs, consensus per field and review decisions",
    responses=error_responses(404),
)
async def get_detail(
    prescription_id: str,
    request: Request,
    principal: Principal = Depends(READ),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> PrescriptionDetailOut:
    view = await review_view(session, prescription_id)
    await _audit_read(session, principal, request, prescription_id, "detail")
    return PrescriptionDetailOut.of(view)


async def _image(
    request: Request,
    session: AsyncSession,
    runtime: Runtime,
    principal: Principal,
    prescription_id: str,
    page_index: int,
) -> Response:
    ref = await page_ref(session, prescription_id, page_index)
    headers = {"ETag": ref.etag, "Cache-Control": f"private, max-age={IMAGE_MAX_AGE}"}
    if not_modified(request.headers.get("if-none-match"), ref.etag):
        return Response(status_code=304, headers=headers)
    await _audit_read(session, principal, request, prescription_id, f"image:{page_index + 1}")
    stream = page_stream(storage_of(runtime), ref)
    return StreamingResponse(stream, media_type=ref.content_type, headers=headers)


_IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/*": {}}, "description": "The page image"},
    304: {"description": "Not modified (If-None-Match matched the ETag)"},
    **error_responses(404, 422),
}


@router.get(
    "/api/prescriptions/{prescription_id}/image",
    response_class=Response,
    summary="The first page's image, with ETag (sha256) and private caching",
    responses=_IMAGE_RESPONSES,
)
async def first_page_image(
    prescription_id: str,
    request: Request,
    principal: Principal = Depends(READ),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    return await _image(request, session, runtime, principal, prescription_id, 0)


@router.get(
    "/api/prescriptions/{prescription_id}/pages/{page}/image",
    response_class=Response,
    summary="Page `page` (1-based) of the prescription as an image",
    responses=_IMAGE_RESPONSES,
)
async def page_image(
    prescription_id: str,
    page: int,
    request: Request,
    principal: Principal = Depends(READ),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    if not 1 <= page <= MAX_PAGE_NUMBER:
        raise NotFound(f"Page {page} does not exist; pages are numbered from 1.")
    return await _image(request, session, runtime, principal, prescription_id, page - 1)


async def _audit_change(
    session: AsyncSession,
    principal: Principal,
    request: Request,
    action: str,
    rx_id: str,
    **detail: Any,
) -> None:
    await record(session, principal, action, "prescription", rx_id, detail or None, request)


_RUN_ERRORS = error_responses(400, 404, 409, 422)


@router.post(
    "/api/prescriptions/{prescription_id}/process",
    response_model=RunQueued,
    status_code=202,
    summary="Queue a run with selectedModels, customPrompts, selectedFields or a configId",
    responses=_RUN_ERRORS,
)
async def process(
    prescription_id: str,
    request: Request,
    body: ProcessRequest | None = None,
    principal: Principal = Depends(PROCESS),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> RunQueued:
    options = _process_options(body, principal)
    run = await service.process(session, service_context(runtime), prescription_id, options)
    await _audit_change(
        session, principal, request, "prescription.process", prescription_id, runId=run.id
    )
    return RunQueued.of(run, "queued")


def _process_options(body: ProcessRequest | None, principal: Principal) -> service.ProcessOptions:
    body = body or ProcessRequest()
    return service.ProcessOptions(
        selected_models=body.selectedModels,
        custom_prompts=body.customPrompts,
        fields=body.selectedFields,
        config_id=body.configId,
        requested_by=principal.name,
    )


@router.post(
    "/api/prescriptions/{prescription_id}/reprocess",
    response_model=RunQueued,
    status_code=202,
    summary="A new run; earlier runs and their values are kept",
    responses=_RUN_ERRORS,
)
async def reprocess(
    prescription_id: str,
    request: Request,
    body: ProcessRequest | None = None,
    principal: Principal = Depends(PROCESS),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> RunQueued:
    options = _process_options(body, principal)
    run = await service.reprocess(session, service_context(runtime), prescription_id, options)
    await _audit_change(
        session, principal, request, "prescription.reprocess", prescription_id, runId=run.id
    )
    return RunQueued.of(run, "queued")


@router.post(
    "/api/prescriptions/{prescription_id}/retry",
    response_model=RunQueued,
    status_code=202,
    summary="Re-run the engines that failed in the latest run",
    responses=_RUN_ERRORS,
)
async def retry(
    prescription_id: str,
    request: Request,
    principal: Principal = Depends(PROCESS),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> RunQueued:
    ctx = service_context(runtime)
    run = await service.retry(session, ctx, prescription_id, requested_by=principal.name)
    await _audit_change(
        session, principal, request, "prescription.retry", prescription_id, runId=run.id
    )
    return RunQueued.of(run, "queued")


@router.post(
    "/api/prescriptions/{prescription_id}/cancel",
    response_model=RunQueued,
    summary="Cancel the queued or running run",
    responses=error_responses(404, 409),
)
async def cancel(
    prescription_id: str,
    request: Request,
    principal: Principal = Depends(PROCESS),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> RunQueued:
    run = await service.cancel(session, prescription_id, requested_by=principal.name)
    await _audit_change(
        session, principal, request, "prescription.cancel", prescription_id, runId=run.id
    )
    prescription = await service.require(session, prescription_id)
    return RunQueued.of(run, prescription.processing_status)


@router.delete(
    "/api/prescriptions/{prescription_id}",
    response_model=Deleted,
    summary="Delete with its runs, values and reviews, and its files when unshared",
    responses=error_responses(404),
)
async def delete(
    prescription_id: str,
    request: Request,
    principal: Principal = Depends(DELETE),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Deleted:
    await service.delete(session, service_context(runtime), prescription_id)
    await _audit_change(session, principal, request, "prescription.delete", prescription_id)
    return Deleted(id=prescription_id)
