"""Bodies of the audit endpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from scriptsensei.models import AuditEntry


class AuditEntryOut(BaseModel):
    id: int
    occurredAt: datetime
    actorType: str
    actorId: str | None
    actorName: str | None
    action: str
    targetType: str | None
    targetId: str | None
    detail: dict[str, Any] | None
    requestId: str | None
    ip: str | None

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            id=entry.id,
            occurredAt=entry.occurred_at,
            actorType=entry.actor_type,
            actorId=entry.actor_id,
            actorName=entry.actor_name,
            action=entry.action,
            targetType=entry.target_type,
            targetId=entry.target_id,
            detail=entry.detail,
            requestId=entry.request_id,
            ip=entry.ip,
        )


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    nextCursor: str | None
