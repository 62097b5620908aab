"""`/api/auth/*`: sign in and out, who am I, and the first-run setup. Users and API keys
have routers of their own, included here so the app registers one module."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.api.responses import documented_errors
from scriptsensei.audit.service import record
from scriptsensei.auth import apikeys_endpoints, users_endpoints
from scriptsensei.auth.cookies import clear_session_cookie, set_session_cookie
from scriptsensei.auth.csrf import enforce_csrf
from scriptsensei.auth.dependencies import (
    current_principal,
    login_limiter,
    signed_in,
    user_principal,
)
from scriptsensei.auth.login import open_session, sign_in, sign_out
from scriptsensei.auth.principal import Principal
from scriptsensei.auth.ratelimit import LoginRateLimiter, login_keys
from scriptsensei.auth.schemas import LoginRequest, Me, SetupRequest, SetupStatus, error_responses
from scriptsensei.auth.sessions import SESSION_COOKIE
from scriptsensei.auth.setup import complete_setup, setup_needed
from scriptsensei.core.errors import Forbidden
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime

router = APIRouter(tags=["auth"])


@router.post(
    "/api/auth/login",
    response_model=Me,
    summary="Sign in with a username and password; sets the session cookie",
    responses=error_responses(401, 403, 422, 429),
)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: AsyncSession = Depends(get_session, scope="function"),
    limiter: LoginRateLimiter = Depends(login_limiter),
    runtime: Runtime = Depends(get_runtime),
) -> Me:
    signed = await sign_in(
        session,
        limiter,
        request,
        username=body.username,
        password=body.password,
        max_age_seconds=runtime.settings.session_max_age_seconds,
        previous_token=request.cookies.get(SESSION_COOKIE),
    )
    set_session_cookie(response, signed.session.token, runtime.settings)
    return Me.of(user_principal(signed.user, signed.session.record))


@router.post(
    "/api/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out: the session is deleted and the cookie cleared",
    responses=error_responses(403),
)
async def logout(
    request: Request,
    session: AsyncSession = Depends(get_session, scope="function"),
    principal: Principal | None = Depends(current_principal),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    if principal is not None:
        await enforce_csrf(request, principal)
    await sign_out(session, request, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, runtime.settings)
    return response


@router.get(
    "/api/auth/me",
    response_model=Me,
    summary="The caller: user or API key, role, permissions, CSRF token",
    responses=error_responses(401),
)
async def me(principal: Principal = Depends(signed_in)) -> Me:
    return Me.of(principal)


@router.get(
    "/api/auth/setup",
    response_model=SetupStatus,
    summary="Whether the first admin still has to be created",
    responses=documented_errors(503),
)
async def setup_status(
    session: AsyncSession = Depends(get_session, scope="function"),
) -> SetupStatus:
    return SetupStatus(setupNeeded=await setup_needed(session))


@router.post(
    "/api/auth/setup",
    response_model=Me,
    status_code=status.HTTP_201_CREATED,
    summary="Create the first admin with the one-time setup token (signs them in)",
    responses=error_responses(403, 404, 422, 429),
)
async def setup(
    body: SetupRequest,
    request: Request,
    response: Response,
    session: AsyncSession = Depends(get_session, scope="function"),
    limiter: LoginRateLimiter = Depends(login_limiter),
    runtime: Runtime = Depends(get_runtime),
) -> Me:
    _, ip_key = login_keys("", request.client.host if request.client else None)
    limiter.check(ip_key)
    try:
        user = await complete_setup(
            session, runtime.settings, body.token, body.username, body.password
        )
    except Forbidden:
        limiter.record_failure(ip_key)
        raise
    signed = await open_session(session, user, request, runtime.settings.session_max_age_seconds)
    principal = user_principal(user, signed.session.record)
    await record(session, principal, "setup.complete", "user", user.id, request=request)
    set_session_cookie(response, signed.session.token, runtime.settings)
    return Me.of(principal)


router.include_router(users_endpoints.router)
router.include_router(apikeys_endpoints.router)
