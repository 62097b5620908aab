"""HTTP plumbing shared by every router: request ids, error rendering, the session dependency."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scriptsensei.core.errors import AppError
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.transaction import unit_of_work

log = structlog.get_logger(__name__)

DB_UNAVAILABLE = "The database is not reachable right now; try again in a moment."


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns, else rolled back.

    Declare it as `Depends(get_session, scope="function")` so the commit happens before the
    response is sent: a commit that fails then becomes the error response, instead of a
    change the client was told had been saved."""
    async with unit_of_work(get_runtime(request).db) as session:
        yield session


class RequestIdMiddleware:
    """Gives every request an id (or keeps the caller's) and binds it to the log context."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = incoming if incoming.isprintable() and incoming else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")


def _json_error(
    status: int, error: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


# Starlette's answer to a JSON body that is not even UTF-8 text; FastAPI answers every
# other unreadable body with a 422, so this one is rendered the same way.
_UNPARSABLE_BODY = "There was an error parsing the body"


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
        return _json_error(422, "invalid_request", "The request body is not valid JSON text.")
    error = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return _json_error(exc.status_code, error, str(exc.detail), getattr(exc, "headers", None))


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
    return "; ".join(parts) or "The request is not valid."


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _json_error(422, "invalid_request", _describe_validation(exc))


async def _database_error(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("database_unavailable", error=str(exc).splitlines()[0][:200])
    return _json_error(503, "database_unavailable", DB_UNAVAILABLE, {"Retry-After": "5"})


async def _dbapi_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if isinstance(exc, IntegrityError):
        log.warning("integrity_error", error=str(exc.orig)[:200])
        return _json_error(409, "conflict", "The change conflicts with data already stored.")
    if exc.connection_invalidated:
        return await _database_error(request, exc)
    return await _unexpected_error(request, exc)


async def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, (ConnectionError, OSError)) and "connect" in str(exc).lower():
        return await _database_error(_request, exc)
    log.exception("unhandled_error", error_type=type(exc).__name__)
    return _json_error(
        500, "internal_error", "Something went wrong on our side; it has been logged."
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(PoolTimeoutError, _database_error)
    app.add_exception_handler(InterfaceError, _database_error)
    app.add_exception_handler(DBAPIError, _dbapi_error)
    # asyncpg raises a refused connection as a bare OSError. Handled here, not only by the
    # catch-all (which re-raises after answering), so the answer ends the request cleanly.
    app.add_exception_handler(OSError, _unexpected_error)
    app.add_exception_handler(Exception, _unexpected_error)
