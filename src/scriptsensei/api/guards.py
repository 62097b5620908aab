"""Refusals that every API router applies before its handler runs."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection, Request

from scriptsensei.auth.schemas import ErrorBody
from scriptsensei.core.errors import BadRequest

_JSON = "application/json"
NUL_REFUSED = "The request contains a NUL character (\\u0000), which no value may hold."

# Documented on every operation by the app, which applies the guard to every route.
GUARD_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The request is not valid (a NUL character...)."}
}


async def refuse_nul_characters(request: HTTPConnection) -> None:
    """PostgreSQL text cannot hold NUL: refuse it in the path, the query and JSON bodies
    with a 400, instead of letting the database fail on it. Applied to every route by the
    app, so a new router cannot forget it."""
    if "\x00" in request.url.path or "%00" in request.url.query:
        raise BadRequest(NUL_REFUSED)
    if not isinstance(request, Request):
        return  # a WebSocket handshake has no body
    if request.headers.get("content-type", "").startswith(_JSON):
        body = await request.body()
        if b"\\u0000" in body or b"\x00" in body:
            raise BadRequest(NUL_REFUSED)
