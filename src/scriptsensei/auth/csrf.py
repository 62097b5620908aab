"""CSRF protection for requests authenticated by the session cookie.

An unsafe request (anything but GET, HEAD, OPTIONS) riding on the cookie must echo the
session's CSRF token in the `X-CSRF-Token` header, or, for a classic HTML form posted as
`application/x-www-form-urlencoded`, in a `csrf_token` field. Multipart posts (uploads)
must use the header: parsing a large upload here, before the upload's own limits apply,
would let anyone make the server read it. Requests with an API key need no token: a
browser never adds one on its own.
"""

from __future__ import annotations

from starlette.requests import Request

from scriptsensei.auth.principal import Principal
from scriptsensei.auth.tokens import same_secret
from scriptsensei.core.errors import Forbidden

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORM_TYPE = "application/x-www-form-urlencoded"


class CsrfFailed(Forbidden):
    error = "csrf_failed"


async def _presented_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(_FORM_TYPE):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def enforce_csrf(request: Request, principal: Principal) -> None:
    if request.method in SAFE_METHODS or not principal.via_session:
        return
    expected = principal.csrf_token or ""
    presented = await _presented_token(request)
    if not presented or not expected or not same_secret(presented, expected):
        raise CsrfFailed(
            "This form or request is missing its CSRF token or the token is stale; "
            "reload the page and try again."
        )
