"""Streaming exports: prescriptions are read in keyset batches, each in a short transaction
of its own, and written out as they come, so 100k prescriptions export in constant memory.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return) are prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from scriptsensei.core.db import Database, database_of
from scriptsensei.core.errors import BadRequest
from scriptsensei.extraction.fields import MEDICATION_KEYS, flatten, medication_path, scalar_paths
from scriptsensei.models import ExtractionResult, Prescription
from scriptsensei.prescriptions.listing import (
    PrescriptionFilters,
    encode_cursor,
    filter_conditions,
    list_query,
)
from scriptsensei.prescriptions.schemas import PrescriptionOut

BATCH_SIZE = 500
LONG_BATCH_SIZE = 100  # each prescription brings every engine's value for every field
MAX_IDS = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WIDE_BASE = ["id", "fileName", "uploadedAt", "processingStatus", "reviewStatus"]
LONG_COLUMNS = [
    "prescriptionId", "fileName", "engine", "engineVersion", "field", "value",
    "normalizedValue", "confidence", "finalValue", "createdAt",
]  # fmt: skip


@dataclass(frozen=True)
class ExportRequest:
    filters: PrescriptionFilters = field(default_factory=PrescriptionFilters)
    ids: Sequence[str] = ()  # the earlier app's `prescriptionIds`; empty: all that match


def check_request(request: ExportRequest) -> ExportRequest:
    """Refuse bad filters before the first byte is streamed (a stream cannot turn into
    a 400 any more)."""
    filter_conditions(request.filters)
    return request


def parse_ids(raw: str | None) -> list[str]:
    ids = [part.strip() for part in (raw or "").split(",") if part.strip()]
    if len(ids) > MAX_IDS:
        raise BadRequest(f"At most {MAX_IDS} prescriptionIds per export; use filters instead.")
    return list(dict.fromkeys(ids))


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def _where(request: ExportRequest) -> list[ColumnElement[bool]]:
    conditions = filter_conditions(request.filters)
    if request.ids:
        conditions.append(Prescription.id.in_(list(request.ids)))
    return conditions


async def batches(
    db: Database, request: ExportRequest, size: int | None = None
) -> AsyncIterator[list[Prescription]]:
    """Matching prescriptions newest first, `size` (default BATCH_SIZE) at a time (keyset,
    no OFFSET)."""
    size = size or BATCH_SIZE
    cursor: str | None = None
    while True:
        query = list_query(request.filters, cursor, size, with_data=True)
        if request.ids:
            query = query.where(Prescription.id.in_(list(request.ids)))
        async with db.sessions() as session:
            rows = list((await session.scalars(query)).all())
        yield rows[:size]
        if len(rows) <= size:
            return
        last = rows[size - 1]
        cursor = encode_cursor(last.uploaded_at, last.id)


def _medication_count(session: AsyncSession) -> ColumnElement[int]:
    data = Prescription.extracted_data
    if database_of(session).is_postgres:
        meds = data["medications"]
        return case((func.jsonb_typeof(meds) == "array", func.jsonb_array_length(meds)), else_=0)
    return func.coalesce(func.json_array_length(data, "$.medications"), 0)


async def max_medications(db: Database, request: ExportRequest) -> int:
    """The most medications any matching prescription has: the wide CSV's column count."""
    async with db.sessions() as session:
        found = await session.scalar(
            select(func.max(_medication_count(session))).where(*_where(request))
        )
    return int(found or 0)


def wide_columns(medications: int) -> list[str]:
    meds = [medication_path(i, k) for i in range(medications) for k in MEDICATION_KEYS]
    return [*WIDE_BASE, *scalar_paths(), *meds]


def _wide_row(rx: Prescription, columns: list[str]) -> list[Any]:
    flat = flatten(rx.extracted_data)
    base = [rx.id, rx.file_name, rx.uploaded_at.isoformat(), rx.processing_status, rx.review_status]
    return base + [flat.get(c) for c in columns[len(WIDE_BASE) :]]


async def wide_csv(db: Database, request: ExportRequest) -> AsyncIterator[str]:
    """One row per prescription, one column per dotted field (medications.N.key up to the
    largest N), plus id, file name, upload time and statuses."""
    columns = wide_columns(await max_medications(db, request))
    yield _csv([columns])
    async for batch in batches(db, request):
        yield _csv(_wide_row(rx, columns) for rx in batch)


async def _results(db: Database, ids: list[str]) -> list[ExtractionResult]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(ExtractionResult)
            .where(ExtractionResult.prescription_id.in_(ids))
            .order_by(
                ExtractionResult.prescription_id,
                ExtractionResult.created_at,
                ExtractionResult.model_name,
                ExtractionResult.field_name,
            )
        )
        return list(rows)


def _long_rows(batch: list[Prescription], results: list[ExtractionResult]) -> Iterable[list[Any]]:
    by_id = {rx.id: (rx, flatten(rx.extracted_data)) for rx in batch}
    for r in results:
        rx, final = by_id[r.prescription_id]
        yield [
            rx.id, rx.file_name, r.model_name, r.engine_version, r.field_name, r.extracted_value,
            r.normalized_value, r.confidence, final.get(r.field_name), r.created_at.isoformat(),
        ]  # fmt: skip


async def long_csv(db: Database, request: ExportRequest) -> AsyncIterator[str]:
    """One row per engine and field: its value, normalised value, confidence, and the
    prescription's final value for that field."""
    yield _csv([LONG_COLUMNS])
    async for batch in batches(db, request, LONG_BATCH_SIZE):
        if batch:
            results = await _results(db, [rx.id for rx in batch])
            yield _csv(_long_rows(batch, results))


def _item(rx: Prescription) -> str:
    return json.dumps(PrescriptionOut.of(rx).model_dump(mode="json"), ensure_ascii=False)


async def json_array(db: Database, request: ExportRequest) -> AsyncIterator[str]:
    yield "["
    first = True
    async for batch in batches(db, request):
        for rx in batch:
            yield ("" if first else ",") + _item(rx)
            first = False
    yield "]"


async def ndjson(db: Database, request: ExportRequest) -> AsyncIterator[str]:
    async for batch in batches(db, request):
        if batch:
            yield "".join(_item(rx) + "\n" for rx in batch)
