"""Extraction results newest first by keyset (`created_at DESC, id DESC`).

Filters on the result itself (prescription, engine, field) and on the prescription it
belongs to (status, upload dates, needs review, text), the latter meaning exactly what
they mean on the prescription list.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from scriptsensei.core.errors import BadRequest
from scriptsensei.models import ExtractionResult, Prescription
from scriptsensei.prescriptions.listing import PrescriptionFilters, check_limit, filter_conditions


@dataclass(frozen=True)
class ResultFilters:
    prescription_id: str | None = None
    engine: str | None = None
    field: str | None = None  # a dotted path, or a prefix such as a group
    # Of the result's prescription; its engine and field filters are not used here.
    prescription: PrescriptionFilters = dataclasses.field(default_factory=PrescriptionFilters)


@dataclass(frozen=True)
class ResultPage:
    items: list[ExtractionResult]
    next_cursor: str | None


def encode_cursor(created_at: datetime, result_id: str) -> str:
    raw = json.dumps(["r", created_at.isoformat(), result_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tag, stamp, result_id = json.loads(raw)
        if tag != "r":
            raise ValueError(tag)
        return datetime.fromisoformat(stamp), str(result_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise BadRequest(
            "The cursor is not valid; start again from the first page without a cursor."
        ) from exc


def _field_condition(name: str) -> ColumnElement[bool]:
    return or_(
        ExtractionResult.field_name == name,
        ExtractionResult.field_name.startswith(name + ".", autoescape=True),
    )


def _prescription_condition(filters: PrescriptionFilters) -> ColumnElement[bool] | None:
    conditions = filter_conditions(filters)
    if not conditions:
        return None
    return ExtractionResult.prescription_id.in_(select(Prescription.id).where(*conditions))


def _conditions(filters: ResultFilters) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if filters.prescription_id:
        out.append(ExtractionResult.prescription_id == filters.prescription_id)
    if filters.engine:
        out.append(ExtractionResult.model_name == filters.engine)
    if filters.field:
        out.append(_field_condition(filters.field))
    of_prescription = _prescription_condition(filters.prescription)
    if of_prescription is not None:
        out.append(of_prescription)
    return out


def _after(cursor: str) -> ColumnElement[bool]:
    stamp, last_id = decode_cursor(cursor)
    # A row-value comparison, a range on the (created_at, id) index on both backends (see
    # prescriptions.listing); rows of one engine run share their created_at.
    return tuple_(ExtractionResult.created_at, ExtractionResult.id) < (stamp, last_id)


def _query(filters: ResultFilters, cursor: str | None, limit: int) -> Select[ExtractionResult]:
    query = select(ExtractionResult).where(*_conditions(filters))
    if cursor:
        query = query.where(_after(cursor))
    order = (ExtractionResult.created_at.desc(), ExtractionResult.id.desc())
    return query.order_by(*order).limit(limit + 1)


async def list_results(
    session: AsyncSession, filters: ResultFilters, cursor: str | None, limit: int | None
) -> ResultPage:
    size = check_limit(limit)
    rows = list((await session.scalars(_query(filters, cursor, size))).all())
    if len(rows) <= size:
        return ResultPage(rows, None)
    last = rows[size - 1]
    return ResultPage(rows[:size], encode_cursor(last.created_at, last.id))
