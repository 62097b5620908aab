"""The session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site
posts), Secure when the site is served over HTTPS (`cookie_secure`)."""

from __future__ import annotations

from starlette.responses import Response

from scriptsensei.auth.sessions import SESSION_COOKIE
from scriptsensei.core.settings import Settings


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_age_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.cookie_secure
    )
