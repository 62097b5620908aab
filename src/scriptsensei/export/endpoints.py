"""`GET /api/export/csv|json|ndjson`: filtered like the list (plus the earlier app's
`prescriptionIds=a,b`), streamed. One audit entry per export names its filters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.api.filters import prescription_filters
from scriptsensei.api.responses import error_responses
from scriptsensei.audit.service import record
from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime
from scriptsensei.export import service
from scriptsensei.export.service import ExportRequest
from scriptsensei.prescriptions.listing import PrescriptionFilters

router = APIRouter(tags=["export"])

EXPORT = require(Permission.EXPORT)
_IDS = Query(None, max_length=40_000, description="Comma-separated prescription ids")


def _responses(*media_types: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"content": {media_type: {} for media_type in media_types}, "description": "Streamed"},
        **error_responses(400, 422),
    }


def export_request(
    prescriptionIds: str | None = _IDS,
    filters: PrescriptionFilters = Depends(prescription_filters),
) -> ExportRequest:
    return service.check_request(ExportRequest(filters, service.parse_ids(prescriptionIds)))


async def _audit(
    session: AsyncSession, principal: Principal, request: Request, export: ExportRequest, kind: str
) -> None:
    detail = {"format": kind, "query": str(request.url.query)[:2000], "ids": len(export.ids)}
    await record(session, principal, "prescription.export", "export", None, detail, request)
    await session.commit()  # the entry stands before the first byte goes out


def _stream(chunks: AsyncIterator[str], media_type: str, extension: str) -> StreamingResponse:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    disposition = f'attachment; filename="scriptsensei-{stamp}.{extension}"'
    return StreamingResponse(
        (chunk.encode() async for chunk in chunks),
        media_type=media_type,
        headers={"Content-Disposition": disposition},
    )


@router.get(
    "/api/export/csv",
    response_class=StreamingResponse,
    summary="CSV: wide (a row per prescription, a column per field) or long (engine x field)",
    responses=_responses("text/csv"),
)
async def export_csv(
    request: Request,
    format: Literal["wide", "long"] = Query("wide"),
    principal: Principal = Depends(EXPORT),
    export: ExportRequest = Depends(export_request),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> StreamingResponse:
    await _audit(session, principal, request, export, f"csv-{format}")
    writer = service.long_csv if format == "long" else service.wide_csv
    return _stream(writer(runtime.db, export), "text/csv; charset=utf-8", "csv")


@router.get(
    "/api/export/json",
    response_class=StreamingResponse,
    summary="A JSON array of prescriptions (format=ndjson: one per line)",
    responses=_responses("application/json", "application/x-ndjson"),
)
async def export_json(
    request: Request,
    format: Literal["json", "ndjson"] = Query("json"),
    principal: Principal = Depends(EXPORT),
    export: ExportRequest = Depends(export_request),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> StreamingResponse:
    await _audit(session, principal, request, export, format)
    if format == "ndjson":
        return _stream(service.ndjson(runtime.db, export), "application/x-ndjson", "ndjson")
    return _stream(service.json_array(runtime.db, export), "application/json", "json")


@router.get(
    "/api/export/ndjson",
    response_class=StreamingResponse,
    summary="Newline-delimited JSON: one prescription per line",
    responses=_responses("application/x-ndjson"),
)
async def export_ndjson(
    request: Request,
    principal: Principal = Depends(EXPORT),
    export: ExportRequest = Depends(export_request),
    runtime: Runtime = Depends(get_runtime),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> StreamingResponse:
    await _audit(session, principal, request, export, "ndjson")
    return _stream(service.ndjson(runtime.db, export), "application/x-ndjson", "ndjson")
