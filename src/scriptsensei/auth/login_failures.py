"""Failed sign-ins counted across every web process, from the audit log.

Each process also keeps its own window in memory (`ratelimit`), which answers without a
query; this count is what makes the limit hold for the deployment as a whole, so N web
instances do not give an attacker N times the attempts. Every refused sign-in is already
audited (`login.failure`, committed before the answer), so no other table is needed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.auth.ratelimit import WINDOW_SECONDS
from scriptsensei.models import AuditEntry

FAILURE_ACTION = "login.failure"


def audited_name(username: str) -> str | None:
    """The actor name a refused sign-in is audited under."""
    return username.strip().lower()[:100] or None


async def _wait_for(
    session: AsyncSession, limit: int, condition: ColumnElement[bool], now: datetime
) -> float:
    window = timedelta(seconds=WINDOW_SECONDS)
    stamps = (
        await session.scalars(
            select(AuditEntry.occurred_at)
            .where(
                AuditEntry.action == FAILURE_ACTION,
                AuditEntry.occurred_at > now - window,
                condition,
            )
            .order_by(AuditEntry.occurred_at.desc())
            .limit(limit)
        )
    ).all()
    if len(stamps) < limit:
        return 0.0
    # The oldest of the last `limit` failures leaves the window first.
    return max(0.0, (stamps[-1] + window - now).total_seconds())


async def shared_retry_after(
    session: AsyncSession, limit: int, username: str, ip: str | None
) -> float:
    """Seconds until this username and this address may try again (0: now)."""
    now = datetime.now(UTC)
    conditions: list[ColumnElement[bool]] = []
    name = audited_name(username)
    if name is not None:
        conditions.append(AuditEntry.actor_name == name)
    if ip is not None:
        conditions.append(AuditEntry.ip == ip)
    waits = [await _wait_for(session, limit, condition, now) for condition in conditions]
    return max(waits, default=0.0)
