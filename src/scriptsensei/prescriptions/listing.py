"""Listing prescriptions newest first by keyset (`uploaded_at DESC, id DESC`): the next
page starts after the last row seen, so page 1000 costs what page 1 costs.

The cursor is opaque to clients: URL-safe base64 of the last row's (uploaded_at, id).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer
from sqlalchemy.sql.elements import ColumnElement

from scriptsensei.core.errors import BadRequest
from scriptsensei.models import EngineRun, ExtractionResult, Prescription

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
STATUSES = frozenset({"queued", "processing", "completed", "failed"})


@dataclass(frozen=True)
class PrescriptionFilters:
    """Every filter is optional; given filters all apply (AND)."""

    statuses: Sequence[str] = ()
    uploaded_from: datetime | None = None  # inclusive
    uploaded_to: datetime | None = None  # exclusive
    engine: str | None = None  # read (or being read) by this engine
    field: str | None = None  # has a value row for this field (a path or a group)
    needs_review: bool | None = None
    search: str | None = None  # in file name, patient name and drug names


@dataclass(frozen=True)
class PrescriptionPage:
    items: list[Prescription]
    next_cursor: str | None  # None on the last page


def encode_cursor(uploaded_at: datetime, prescription_id: str) -> str:
    raw = json.dumps([uploaded_at.isoformat(), prescription_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, prescription_id = json.loads(raw)
        return datetime.fromisoformat(stamp), str(prescription_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadRequest(
            "The cursor is not valid; start again from the first page without a cursor."
        ) from exc


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}.")
    return min(limit, MAX_LIMIT)


def _after(cursor: str) -> ColumnElement[bool]:
    stamp, last_id = decode_cursor(cursor)
    # A row-value comparison: PostgreSQL and SQLite both turn it into a range on the
    # (uploaded_at, id) index, so page 1000 starts where page 999 ended. Spelled out as
    # `a < x OR (a = x AND b < y)`, the planner reads it as a filter and walks every newer
    # row first.
    return tuple_(Prescription.uploaded_at, Prescription.id) < (stamp, last_id)


def _engine_filter(engine: str) -> ColumnElement[bool]:
    ran = exists().where(
        EngineRun.prescription_id == Prescription.id, EngineRun.engine_name == engine
    )
    # Rows of the earlier app have results but no engine runs.
    has_results = exists().where(
        ExtractionResult.prescription_id == Prescription.id, ExtractionResult.model_name == engine
    )
    return or_(ran, has_results)


def _field_filter(field: str) -> ColumnElement[bool]:
    return exists().where(
        ExtractionResult.prescription_id == Prescription.id,
        or_(
            ExtractionResult.field_name == field,
            ExtractionResult.field_name.startswith(field + ".", autoescape=True),
        ),
    )


def _search_filter(text: str) -> ColumnElement[bool]:
    return or_(
        Prescription.file_name.icontains(text, autoescape=True),
        Prescription.patient_name.icontains(text, autoescape=True),
        Prescription.drug_names.icontains(text, autoescape=True),
    )


def _conditions(filters: PrescriptionFilters) -> list[ColumnElement[bool]]:
    unknown = set(filters.statuses) - STATUSES
    if unknown:
        raise BadRequest(
            f"Unknown status {', '.join(sorted(unknown))}; use {', '.join(sorted(STATUSES))}."
        )
    out: list[ColumnElement[bool]] = []
    if filters.statuses:
        out.append(Prescription.processing_status.in_(list(filters.statuses)))
    if filters.uploaded_from is not None:
        out.append(Prescription.uploaded_at >= filters.uploaded_from)
    if filters.uploaded_to is not None:
        out.append(Prescription.uploaded_at < filters.uploaded_to)
    if filters.engine:
        out.append(_engine_filter(filters.engine))
    if filters.field:
        out.append(_field_filter(filters.field))
    if filters.needs_review is not None:
        needing = Prescription.fields_needing_review > 0
        out.append(needing if filters.needs_review else ~needing)
    if filters.search and filters.search.strip():
        out.append(_search_filter(filters.search.strip()))
    return out


def filter_conditions(filters: PrescriptionFilters) -> list[ColumnElement[bool]]:
    """The WHERE conditions of `filters` (BadRequest for an unknown status)."""
    return _conditions(filters)


def list_query(
    filters: PrescriptionFilters, cursor: str | None, limit: int, with_data: bool
) -> Select[Prescription]:
    query = select(Prescription).where(*_conditions(filters))
    if cursor:
        query = query.where(_after(cursor))
    options = [defer(Prescription.image_data, raiseload=True)]
    if not with_data:
        options.append(defer(Prescription.extracted_data, raiseload=True))
    return (
        query.options(*options)
        .order_by(Prescription.uploaded_at.desc(), Prescription.id.desc())
        .limit(limit + 1)  # one more tells whether a next page exists
    )


async def list_prescriptions(
    session: AsyncSession,
    filters: PrescriptionFilters | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    *,
    with_data: bool = False,
) -> PrescriptionPage:
    """One page, newest first. `image_data` is never loaded; `extracted_data` only with
    `with_data` (touching a column not loaded raises instead of querying)."""
    size = check_limit(limit)
    query = list_query(filters or PrescriptionFilters(), cursor, size, with_data)
    rows = list((await session.scalars(query)).all())
    if len(rows) <= size:
        return PrescriptionPage(rows, None)
    last = rows[size - 1]
    return PrescriptionPage(rows[:size], encode_cursor(last.uploaded_at, last.id))
