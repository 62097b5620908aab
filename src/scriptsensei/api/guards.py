"""Refusals that every API router applies before its handler runs."""

from __future__ import annotations

from fastapi import Request

from scriptsensei.core.errors import BadRequest

_JSON = "application/json"
NUL_REFUSED = "The request contains a NUL character (\\u0000), which no value may hold."


async def refuse_nul_characters(request: Request) -> None:
    """PostgreSQL text cannot hold NUL: refuse it in the path, the query and JSON bodies
    with a 400, instead of letting the database fail on it."""
    if "\x00" in request.url.path or "%00" in request.url.query:
        raise BadRequest(NUL_REFUSED)
    if request.headers.get("content-type", "").startswith(_JSON):
        body = await request.body()
        if b"\\u0000" in body or b"\x00" in body:
            raise BadRequest(NUL_REFUSED)
