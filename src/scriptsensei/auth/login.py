"""Signing in and out: checks, rate limit, a fresh session, and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from scriptsensei.audit.service import Actor, client_ip, record, record_now
from scriptsensei.auth import sessions
from scriptsensei.auth.dependencies import user_principal
from scriptsensei.auth.login_failures import FAILURE_ACTION, audited_name, shared_retry_after
from scriptsensei.auth.ratelimit import LoginRateLimiter, login_keys, refuse_while_waiting
from scriptsensei.auth.users import authenticate
from scriptsensei.core.db import database_of
from scriptsensei.core.errors import Forbidden, Unauthorized
from scriptsensei.models import User

log = structlog.get_logger(__name__)

WRONG_CREDENTIALS = "Wrong username or password."
DEACTIVATED = "This account has been deactivated; ask an administrator to reactivate it."


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: sessions.NewSession


def _attempted(username: str) -> Actor:
    return Actor("anonymous", None, audited_name(username))


async def _refuse(
    session: AsyncSession, request: HTTPConnection, username: str, reason: str
) -> None:
    # Its own transaction: the request's is rolled back by the error that follows.
    detail = {"reason": reason}
    actor = _attempted(username)
    await record_now(database_of(session), actor, FAILURE_ACTION, None, None, detail, request)
    log.info("login_refused", username=username[:100], reason=reason, ip=client_ip(request))


async def sign_in(
    session: AsyncSession,
    limiter: LoginRateLimiter,
    request: HTTPConnection,
    *,
    username: str,
    password: str,
    max_age_seconds: int,
    previous_token: str | None = None,
) -> SignedIn:
    """A new session for these credentials; any session the browser had is discarded."""
    ip = client_ip(request)
    keys = login_keys(username, ip)
    limiter.check(*keys)  # this process's window: no query
    refuse_while_waiting(await shared_retry_after(session, limiter.limit, username, ip))
    user = await authenticate(session, username, password)
    if user is None:
        limiter.record_failure(*keys)
        await _refuse(session, request, username, "wrong_credentials")
        raise Unauthorized(WRONG_CREDENTIALS)
    if not user.is_active:
        await _refuse(session, request, username, "deactivated")
        raise Forbidden(DEACTIVATED)
    return await open_session(session, user, request, max_age_seconds, previous_token)


async def open_session(
    session: AsyncSession,
    user: User,
    request: HTTPConnection,
    max_age_seconds: int,
    previous_token: str | None = None,
) -> SignedIn:
    # Session fixation: whatever session id the browser brought is never reused.
    if previous_token:
        await sessions.delete_session(session, previous_token)
    await sessions.purge_expired_sessions(session)
    new = await sessions.create_session(
        session,
        user,
        max_age_seconds=max_age_seconds,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    user.last_login_at = datetime.now(UTC)
    principal = user_principal(user, new.record)
    await record(session, principal, "login.success", "user", user.id, request=request)
    return SignedIn(user=user, session=new)


async def sign_out(session: AsyncSession, request: HTTPConnection, token: str | None) -> None:
    if not token:
        return
    found = await sessions.find_session(session, token)
    await sessions.delete_session(session, token)
    if found is not None:
        await record(
            session, user_principal(found[1]), "logout", "user", found[1].id, request=request
        )
