"""FastAPI dependencies: who is calling, and may they do this.

Protect a route with one line:

    @router.get("/api/things", dependencies=[Depends(require(Permission.PRESCRIPTIONS_READ))])

or take the caller as a parameter: `principal: Principal = Depends(require(Permission.X))`.
`require` answers 401 to an anonymous caller, 403 `csrf_failed` to a cookie-authenticated
unsafe request without its CSRF token, and 403 to a role without the permission.

Credentials, in order: an API key in `X-API-Key` or `Authorization: Bearer <key>` (a key
that is wrong or revoked is a 401, never a fall-back to the cookie), then the session
cookie. The database is asked on every request, so revocations and deactivations apply at
once in every process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from scriptsensei.auth import apikeys, sessions
from scriptsensei.auth.csrf import enforce_csrf
from scriptsensei.auth.permissions import Permission, Role
from scriptsensei.auth.principal import Principal
from scriptsensei.auth.ratelimit import LoginRateLimiter
from scriptsensei.core.db import database_of
from scriptsensei.core.errors import Forbidden, Unauthorized
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import ApiKey, User, UserSession

log = structlog.get_logger(__name__)

API_KEY_HEADER = "X-API-Key"
NOT_SIGNED_IN = "Sign in, or send an API key in the X-API-Key header."
BAD_KEY = "The API key is not valid or has been revoked."
_LIMITER = "auth.login_limiter"


def presented_api_key(connection: HTTPConnection) -> str | None:
    key = connection.headers.get(API_KEY_HEADER)
    if key:
        return key.strip()
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def key_principal(record: ApiKey) -> Principal:
    return Principal(type="api_key", id=record.id, name=record.name, role=Role(record.role))


def user_principal(user: User, record: UserSession | None = None) -> Principal:
    return Principal(
        type="user",
        id=user.id,
        name=user.username,
        role=Role(user.role),
        csrf_token=record.csrf_token if record else None,
        session_token_hash=record.token_hash if record else None,
        session_expires_at=record.expires_at if record else None,
    )


async def _from_key(session: AsyncSession, key: str) -> Principal:
    record = await apikeys.find_active_key(session, key)
    if record is None:
        raise Unauthorized(BAD_KEY)
    if apikeys.needs_touch(record):
        # A short transaction of its own: the request's may stay open for long.
        async with unit_of_work(database_of(session)) as own:
            await apikeys.touch_api_key(own, record.id)
    return key_principal(record)


async def _from_cookie(session: AsyncSession, token: str) -> Principal | None:
    found = await sessions.find_session(session, token)
    if found is None:
        return None
    record, user = found
    if sessions.needs_touch(record):
        async with unit_of_work(database_of(session)) as own:
            await sessions.touch_session(own, record.token_hash)
    return user_principal(user, record)


async def resolve_principal(connection: HTTPConnection, session: AsyncSession) -> Principal | None:
    """The caller of a request or WebSocket handshake, or None when anonymous."""
    key = presented_api_key(connection)
    if key is not None:
        return await _from_key(session, key)
    token = connection.cookies.get(sessions.SESSION_COOKIE)
    return await _from_cookie(session, token) if token else None


async def current_principal(
    request: Request, session: AsyncSession = Depends(get_session, scope="function")
) -> Principal | None:
    principal = await resolve_principal(request, session)
    request.state.principal = principal  # for access logs and audit helpers
    return principal


def require(
    permission: Permission | None = None,
) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting callers whose role has `permission` (None: anyone signed in)."""

    async def dependency(
        request: Request, principal: Principal | None = Depends(current_principal)
    ) -> Principal:
        if principal is None:
            raise Unauthorized(NOT_SIGNED_IN)
        await enforce_csrf(request, principal)
        if permission is not None and not principal.can(permission):
            log.info("access_denied", principal=principal.name, permission=str(permission))
            raise Forbidden(
                f"Your role ({principal.role}) does not allow this ({permission}); "
                "ask an administrator."
            )
        return principal

    dependency.__name__ = f"require_{permission.name.lower() if permission else 'signed_in'}"
    # Read by `scriptsensei.auth.routes` to list what each route demands.
    dependency.required_permission = permission  # type: ignore[attr-defined]
    return dependency


# Anyone signed in, whatever their role.
signed_in = require(None)


def login_limiter(request: Request) -> LoginRateLimiter:
    """The process's login limiter, created on first use from the settings."""
    runtime = get_runtime(request)
    limiter = runtime.components.get(_LIMITER)
    if limiter is None:
        limiter = LoginRateLimiter(runtime.settings.login_attempts_per_minute)
        runtime.components[_LIMITER] = limiter
    assert isinstance(limiter, LoginRateLimiter)
    return limiter
