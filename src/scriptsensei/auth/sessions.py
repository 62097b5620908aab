"""Server-side browser sessions. The cookie carries a random token; the database keeps only
its SHA-256, the user, the CSRF token and the expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.auth.tokens import digest, new_secret
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.models import User, UserSession

SESSION_COOKIE = "scriptsensei_session"
# last_seen_at is refreshed at most this often, so browsing is not a write per request.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie, never into the database
    record: UserSession


def _now() -> datetime:
    return datetime.now(UTC)


async def create_session(
    session: AsyncSession,
    user: User,
    *,
    max_age_seconds: int,
    ip: str | None = None,
    user_agent: str | None = None,
) -> NewSession:
    token = new_secret()
    now = _now()
    record = UserSession(
        token_hash=digest(token),
        user_id=user.id,
        csrf_token=new_secret(),
        created_at=now,
        expires_at=now + timedelta(seconds=max_age_seconds),
        last_seen_at=now,
        ip=ip,
        user_agent=(user_agent or "")[:256] or None,
    )
    session.add(record)
    await session.flush()
    return NewSession(token=token, record=record)


async def find_session(session: AsyncSession, token: str) -> tuple[UserSession, User] | None:
    """The live session of this token and its user: unexpired, and the user still active."""
    query = (
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == digest(token))
    )
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    record, user = row
    if record.expires_at <= _now() or not user.is_active:
        return None
    return record, user


async def delete_session(session: AsyncSession, token: str) -> None:
    """Sign a browser out: the session ends, and so do its open live connections."""
    token_hash = digest(token)
    await session.execute(delete(UserSession).where(UserSession.token_hash == token_hash))
    await publish(session, EventType.ACCESS_REVOKED, None, sessionHash=token_hash)


async def delete_user_sessions(session: AsyncSession, user_id: str) -> None:
    """Sign a user out everywhere, live connections included."""
    await session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    await publish(session, EventType.ACCESS_REVOKED, None, userId=user_id)


async def purge_expired_sessions(session: AsyncSession) -> None:
    await session.execute(delete(UserSession).where(UserSession.expires_at <= _now()))


async def touch_session(session: AsyncSession, token_hash: str) -> None:
    """Record activity, unless it was recorded less than TOUCH_INTERVAL ago."""
    now = _now()
    await session.execute(
        update(UserSession)
        .where(
            UserSession.token_hash == token_hash,
            or_(
                UserSession.last_seen_at.is_(None), UserSession.last_seen_at < now - TOUCH_INTERVAL
            ),
        )
        .values(last_seen_at=now)
    )


def needs_touch(record: UserSession) -> bool:
    return record.last_seen_at is None or record.last_seen_at < _now() - TOUCH_INTERVAL
