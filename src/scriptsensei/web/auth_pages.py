"""Sign-in, sign-out and the first-run setup page (no user yet: the one-time setup token
from the server log or the data directory, then the first admin's name and password).

The forms post to these pages, which call the same services as `/api/auth/*`. A post from
a foreign origin is refused, so no other site can sign a browser in to its own account.
"""

from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from scriptsensei.audit.service import record
from scriptsensei.auth.cookies import clear_session_cookie, set_session_cookie
from scriptsensei.auth.csrf import enforce_csrf
from scriptsensei.auth.dependencies import current_principal, login_limiter, user_principal
from scriptsensei.auth.login import open_session, sign_in, sign_out
from scriptsensei.auth.passwords import MIN_PASSWORD_LENGTH
from scriptsensei.auth.principal import Principal
from scriptsensei.auth.ratelimit import LoginRateLimiter, login_keys
from scriptsensei.auth.sessions import SESSION_COOKIE
from scriptsensei.auth.setup import TOKEN_FILE, complete_setup, setup_needed
from scriptsensei.auth.websocket import origin_allowed
from scriptsensei.core.errors import AppError, Forbidden
from scriptsensei.core.http import get_runtime, get_session
from scriptsensei.core.runtime import Runtime
from scriptsensei.web.access import safe_next
from scriptsensei.web.routing import page_router
from scriptsensei.web.security import secure
from scriptsensei.web.templating import render

router = page_router()

FOREIGN_ORIGIN = "This form was sent from another site; open the sign-in page here and retry."


def _redirect(location: str) -> Response:
    return secure(RedirectResponse(location, status_code=303))


@router.get("/login")
async def login_page(
    request: Request,
    next: str | None = None,
    principal: Principal | None = Depends(current_principal),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    if principal is not None and principal.via_session:
        return _redirect(safe_next(next))
    if await setup_needed(session):
        return _redirect("/setup")
    return render(request, "login.html", None, {"next": safe_next(next), "title": "Sign in"})


def _login_error(request: Request, username: str, target: str, error: AppError) -> Response:
    context = {"next": target, "username": username, "error": error.detail, "title": "Sign in"}
    return render(request, "login.html", None, context, status_code=error.status_code)


@router.post("/login")
async def login_submit(
    request: Request,
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=4096),
    next: str = Form("/", max_length=2000),
    session: AsyncSession = Depends(get_session, scope="function"),
    limiter: LoginRateLimiter = Depends(login_limiter),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    target = safe_next(next)
    if not origin_allowed(request, runtime.settings):
        return _login_error(request, username, target, Forbidden(FOREIGN_ORIGIN))
    try:
        signed = await sign_in(
            session,
            limiter,
            request,
            username=username,
            password=password,
            max_age_seconds=runtime.settings.session_max_age_seconds,
            previous_token=request.cookies.get(SESSION_COOKIE),
        )
    except AppError as exc:
        await session.rollback()  # the refusal was recorded in its own transaction
        return _login_error(request, username, target, exc)
    response = _redirect(target)
    set_session_cookie(response, signed.session.token, runtime.settings)
    return response


@router.post("/logout")
async def logout_submit(
    request: Request,
    principal: Principal | None = Depends(current_principal),
    session: AsyncSession = Depends(get_session, scope="function"),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    if principal is not None:
        await enforce_csrf(request, principal)
    await sign_out(session, request, request.cookies.get(SESSION_COOKIE))
    response = _redirect("/login")
    clear_session_cookie(response, runtime.settings)
    return response


def _setup_context() -> dict[str, object]:
    return {"token_file": TOKEN_FILE, "title": "First run", "min_password": MIN_PASSWORD_LENGTH}


@router.get("/setup")
async def setup_page(
    request: Request, session: AsyncSession = Depends(get_session, scope="function")
) -> Response:
    if not await setup_needed(session):
        return _redirect("/login")
    return render(request, "setup.html", None, _setup_context())


@router.post("/setup")
async def setup_submit(
    request: Request,
    token: str = Form("", max_length=200),
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=4096),
    session: AsyncSession = Depends(get_session, scope="function"),
    limiter: LoginRateLimiter = Depends(login_limiter),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    context = {**_setup_context(), "username": username}
    _, ip_key = login_keys("", request.client.host if request.client else None)
    try:
        if not origin_allowed(request, runtime.settings):
            raise Forbidden(FOREIGN_ORIGIN)
        limiter.check(ip_key)
        user = await complete_setup(session, runtime.settings, token, username, password)
    except AppError as exc:
        # Nothing of a refused setup may be committed: the token stays usable.
        await session.rollback()
        if isinstance(exc, Forbidden):
            limiter.record_failure(ip_key)
        context["error"] = exc.detail
        return render(request, "setup.html", None, context, status_code=exc.status_code)
    signed = await open_session(session, user, request, runtime.settings.session_max_age_seconds)
    principal = user_principal(user, signed.session.record)
    await record(session, principal, "setup.complete", "user", user.id, request=request)
    response = _redirect("/")
    set_session_cookie(response, signed.session.token, runtime.settings)
    return response
