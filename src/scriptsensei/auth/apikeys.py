"""API keys: `ss_<prefix>_<secret>`. Only the SHA-256 of the whole key is stored; the prefix
is kept in clear so admins can tell keys apart. Every request looks the key up in the
database, so a revocation takes effect on the next request, in every process."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.auth.permissions import Role
from scriptsensei.auth.tokens import digest, new_secret
from scriptsensei.core.errors import NotFound, Unprocessable
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.models import ApiKey

KEY_PATTERN = re.compile(r"^ss_([0-9a-f]{8})_([A-Za-z0-9_-]{20,128})$")
# last_used_at is refreshed at most this often, so a busy key is not a write per request.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class NewApiKey:
    key: str  # shown once, never stored
    record: ApiKey


def _now() -> datetime:
    return datetime.now(UTC)


def _clean_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > 100:
        raise Unprocessable("An API key needs a name of 1 to 100 characters.")
    return clean


async def create_api_key(
    session: AsyncSession, name: str, role: Role, created_by: str | None = None
) -> NewApiKey:
    prefix = secrets.token_hex(4)
    key = f"ss_{prefix}_{new_secret()}"
    record = ApiKey(
        name=_clean_name(name),
        prefix=prefix,
        key_hash=digest(key),
        role=Role(role).value,
        created_by=created_by,
    )
    session.add(record)
    await session.flush()
    return NewApiKey(key=key, record=record)


async def list_api_keys(session: AsyncSession) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id)
    return list((await session.execute(query)).scalars())


async def get_api_key(session: AsyncSession, key_id: str) -> ApiKey:
    record = await session.get(ApiKey, key_id)
    if record is None:
        raise NotFound(f"No API key with id {key_id}.")
    return record


async def revoke_api_key(session: AsyncSession, key_id: str) -> ApiKey:
    """Revoke a key (revoking twice keeps the first revocation time)."""
    record = await get_api_key(session, key_id)
    if record.revoked_at is None:
        record.revoked_at = _now()
        await session.flush()
        # live connections opened with the key end too, in every web instance
        await publish(session, EventType.ACCESS_REVOKED, None, apiKeyId=record.id)
    return record


async def find_active_key(session: AsyncSession, key: str) -> ApiKey | None:
    if not KEY_PATTERN.fullmatch(key):
        return None
    query = select(ApiKey).where(ApiKey.key_hash == digest(key), ApiKey.revoked_at.is_(None))
    return (await session.execute(query)).scalar_one_or_none()


def needs_touch(record: ApiKey) -> bool:
    return record.last_used_at is None or record.last_used_at < _now() - TOUCH_INTERVAL


async def touch_api_key(session: AsyncSession, key_id: str) -> None:
    """Record use, unless it was recorded less than TOUCH_INTERVAL ago (by any process)."""
    now = _now()
    await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - TOUCH_INTERVAL),
        )
        .values(last_used_at=now)
    )
