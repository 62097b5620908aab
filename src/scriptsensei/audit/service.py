"""Recording and listing audit entries.

`record` writes in the caller's transaction, so an entry exists exactly when the change it
describes commits. `record_now` writes in a transaction of its own, for events that must
be kept although the request fails (a refused sign-in).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from scriptsensei.core.db import Database
from scriptsensei.core.errors import BadRequest
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import AuditEntry

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

LIST_READ = "prescription.list"


class AuditActor(Protocol):
    """Anything with a type, id and name: an auth Principal, or an `Actor` below."""

    @property
    def type(self) -> str: ...
    @property
    def id(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...


@dataclass(frozen=True)
class Actor:
    type: str  # user|api_key|system|anonymous
    id: str | None
    name: str | None


ANONYMOUS = Actor("anonymous", None, None)
COMMAND_LINE = Actor("system", None, "command-line")


def client_ip(connection: HTTPConnection | None) -> str | None:
    if connection is None or connection.client is None:
        return None
    return connection.client.host


def _request_id(connection: HTTPConnection | None) -> str | None:
    if connection is None:
        return None
    return getattr(connection.state, "request_id", None)


def build_entry(
    actor: AuditActor | None,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    detail: dict[str, Any] | None = None,
    request: HTTPConnection | None = None,
) -> AuditEntry:
    who = actor or ANONYMOUS
    return AuditEntry(
        actor_type=who.type,
        actor_id=who.id,
        actor_name=who.name,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
        request_id=_request_id(request),
        ip=client_ip(request),
    )


async def record(
    session: AsyncSession,
    actor: AuditActor | None,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    detail: dict[str, Any] | None = None,
    request: HTTPConnection | None = None,
) -> AuditEntry:
    """Add an entry to the caller's transaction. `detail` must never hold a secret."""
    entry = build_entry(actor, action, target_type, target_id, detail, request)
    session.add(entry)
    await session.flush()
    return entry


async def record_now(
    db: Database,
    actor: AuditActor | None,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    detail: dict[str, Any] | None = None,
    request: HTTPConnection | None = None,
) -> None:
    """Commit an entry at once, whatever happens to the caller's transaction."""
    async with unit_of_work(db) as session:
        await record(session, actor, action, target_type, target_id, detail, request)


def given_values(filters: DataclassInstance) -> dict[str, Any]:
    """The filters that were set, as JSON values (nested filters merged in)."""
    return _given(asdict(filters))


def _given(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            out.update(_given(value))
        elif isinstance(value, datetime):
            out[name] = value.isoformat()
        elif value is not None and value not in ((), ""):
            out[name] = list(value) if isinstance(value, tuple) else value
    return out


async def record_list_read(
    session: AsyncSession,
    actor: AuditActor,
    view: str,
    filters: DataclassInstance,
    rows: int,
    request: HTTPConnection | None = None,
    **extra: Any,
) -> AuditEntry:
    """One entry per list request, not per row (a page of 200 rows is one insert): who
    listed prescriptions' data, with which filters, and how many rows came back."""
    detail = {"view": view, "filters": given_values(filters), "rows": rows, **extra}
    return await record(session, actor, LIST_READ, "prescription", None, detail, request)


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None  # exact, or a prefix when it ends with '.' ("login.")
    target_type: str | None = None
    target_id: str | None = None
    actor: str | None = None  # an actor's id or name
    since: datetime | None = None
    until: datetime | None = None


def encode_cursor(entry_id: int) -> str:
    return base64.urlsafe_b64encode(f"a{entry_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("a"):
            raise ValueError(raw)
        return int(raw[1:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("The cursor is not valid; start again from the first page.") from None


def _filtered(query: Select[AuditEntry], f: AuditFilter) -> Select[AuditEntry]:
    if f.action:
        exact = not f.action.endswith(".")
        query = query.where(
            AuditEntry.action == f.action if exact else AuditEntry.action.startswith(f.action)
        )
    if f.target_type:
        query = query.where(AuditEntry.target_type == f.target_type)
    if f.target_id:
        query = query.where(AuditEntry.target_id == f.target_id)
    if f.actor:
        query = query.where(or_(AuditEntry.actor_id == f.actor, AuditEntry.actor_name == f.actor))
    if f.since:
        query = query.where(AuditEntry.occurred_at >= f.since)
    if f.until:
        query = query.where(AuditEntry.occurred_at < f.until)
    return query


async def list_entries(
    session: AsyncSession, filters: AuditFilter, limit: int = 50, cursor: str | None = None
) -> tuple[list[AuditEntry], str | None]:
    """Newest first, `limit` at a time; the cursor of the next page, or None at the end."""
    query = _filtered(select(AuditEntry), filters)
    if cursor:
        query = query.where(AuditEntry.id < decode_cursor(cursor))
    query = query.order_by(AuditEntry.id.desc()).limit(limit + 1)
    rows = list((await session.execute(query)).scalars())
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].id) if len(rows) > limit else None
    return page, next_cursor
