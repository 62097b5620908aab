"""OpenAPI error responses (every one with the `{error, detail}` body) and the headers that
carry the next page of a keyset-paginated list."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response

from scriptsensei.auth.schemas import ErrorBody

_ERROR_TEXT = {
    400: "The request is not valid (a filter, cursor, engine or field name...).",
    401: "Not signed in, or the API key is wrong or revoked.",
    403: "The role does not allow this, or the CSRF token is missing.",
    404: "Not found.",
    409: "Conflicts with the current state (already processing, nothing to retry...).",
    413: "Too large: a file, the request, or too many files.",
    415: "The file type is not supported.",
    422: "The body is malformed.",
    429: "Too many requests; see Retry-After.",
    503: "The database or storage is unavailable; retry shortly.",
}

# What every authenticated endpoint can answer besides its own errors (400: a NUL
# character anywhere in the request, refused by `api.guards`).
AUTH_ERRORS = (400, 401, 403, 503)


def documented_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for exactly these statuses (a route open to anyone)."""
    return {code: {"model": ErrorBody, "description": _ERROR_TEXT[code]} for code in sorted(codes)}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these statuses plus the authentication ones."""
    return documented_errors(*{*codes, *AUTH_ERRORS})


def set_next_page(request: Request, response: Response, next_cursor: str | None) -> None:
    """`Link: <...>; rel="next"` and `X-Next-Cursor` for the page after this one."""
    if next_cursor is None:
        return
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    params.append(("cursor", next_cursor))
    url = f"{request.url.path}?{urlencode(params)}"
    response.headers["Link"] = f'<{url}>; rel="next"'
    response.headers["X-Next-Cursor"] = next_cursor
