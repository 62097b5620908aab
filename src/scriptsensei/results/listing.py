"""Extraction results newest first by keyset (`created_at DESC, id DESC`)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.errors import BadRequest
from scriptsensei.models import ExtractionResult
from scriptsensei.prescriptions.listing import check_limit


@dataclass(frozen=True)
class ResultFilters:
    prescription_id: str | None = None
    engine: str | None = None
    field: str | None = None  # a dotted path, or a prefix such as a group


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


def _query(filters: ResultFilters, cursor: str | None, limit: int) -> Select[ExtractionResult]:
    query = select(ExtractionResult)
    if filters.prescription_id:
        query = query.where(ExtractionResult.prescription_id == filters.prescription_id)
    if filters.engine:
        query = query.where(ExtractionResult.model_name == filters.engine)
    if filters.field:
        query = query.where(
            or_(
                ExtractionResult.field_name == filters.field,
                ExtractionResult.field_name.startswith(filters.field + ".", autoescape=True),
            )
        )
    if cursor:
        stamp, last_id = decode_cursor(cursor)
        query = query.where(
            or_(
                ExtractionResult.created_at < stamp,
                and_(ExtractionResult.created_at == stamp, ExtractionResult.id < last_id),
            )
        )
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
