"""Authenticating a WebSocket handshake.

Browsers authenticate with the session cookie; other clients send their API key in the
`X-API-Key` or `Authorization: Bearer` header of the handshake (every WebSocket client
library can set headers). A key in the query string is refused on purpose: URLs end up in
access logs and proxy logs, and the key with them.

Because browsers send cookies with cross-site WebSocket handshakes too, a cookie-based
handshake must come from our own origin (or one listed in `cors_origins`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import WebSocket, WebSocketException, status
from starlette.requests import HTTPConnection

from scriptsensei.auth.dependencies import NOT_SIGNED_IN, presented_api_key, resolve_principal
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.core.db import Database
from scriptsensei.core.errors import AppError, Forbidden, Unauthorized
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work


def origin_allowed(connection: HTTPConnection, settings: Settings) -> bool:
    """Whether a browser request comes from our own origin or a listed one (no Origin
    header: not a browser, allowed). Also usable by pages to guard a sign-in form."""
    origin = connection.headers.get("origin")
    if not origin:
        return True  # not a browser
    if origin.rstrip("/") in {o.rstrip("/") for o in settings.cors_origins}:
        return True
    return urlsplit(origin).netloc.lower() == connection.headers.get("host", "").lower()


async def authenticate_websocket(
    websocket: WebSocket,
    db: Database,
    settings: Settings,
    permission: Permission = Permission.PRESCRIPTIONS_READ,
) -> Principal:
    """The caller of the handshake, or Unauthorized / Forbidden (call before accept())."""
    if presented_api_key(websocket) is None and not origin_allowed(websocket, settings):
        raise Forbidden("This origin may not open a live connection with a session cookie.")
    async with unit_of_work(db) as session:  # a short transaction: the socket lives long
        principal = await resolve_principal(websocket, session)
    if principal is None:
        raise Unauthorized(NOT_SIGNED_IN)
    if not principal.can(permission):
        raise Forbidden(f"Your role ({principal.role}) does not allow live updates.")
    return principal


async def websocket_principal(websocket: WebSocket) -> Principal:
    """Dependency for WebSocket routes: refuses the handshake (HTTP 403) when not allowed."""
    runtime = websocket.app.state.runtime
    try:
        return await authenticate_websocket(websocket, runtime.db, runtime.settings)
    except AppError as exc:
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason=exc.detail) from exc
