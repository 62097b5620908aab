"""Running the guard at start-up and refusing writes while it is engaged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from scriptsensei.core.runtime import Runtime
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.guard.service import adopt, evaluate

log = structlog.get_logger(__name__)

COMPONENT_NAME = "write_guard"  # holds the reason while writes are refused
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALWAYS_ALLOWED = ("/api/auth/login", "/api/auth/logout", "/api/admin/guard/confirm")


@asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    storage_dir = runtime.settings.storage_dir
    async with unit_of_work(runtime.db) as session:
        verdict = await evaluate(session, storage_dir)
        if verdict.safe:
            await adopt(session, storage_dir)
    if not verdict.safe:
        runtime.components[COMPONENT_NAME] = verdict.reason
        log.warning(
            "DATA LOSS GUARD: writes are refused until an operator confirms",
            reason=verdict.reason,
            confirm="scriptsensei guard confirm (or POST /api/admin/guard/confirm as admin)",
        )
    yield


def writes_refused(runtime: Runtime) -> str | None:
    reason = runtime.components.get(COMPONENT_NAME)
    return str(reason) if reason else None


class WriteGuardMiddleware:
    """While the guard is engaged, unsafe HTTP methods get 503 with the reason."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            runtime = getattr(scope["app"].state, "runtime", None)
            reason = writes_refused(runtime) if runtime is not None else None
            if reason and not scope["path"].startswith(ALWAYS_ALLOWED):
                await _refuse(send, reason)
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, reason: str) -> None:
    import json

    body = json.dumps(
        {
            "error": "writes_paused",
            "detail": f"Changes are paused to protect your data: {reason}. An administrator "
            "must confirm with `scriptsensei guard confirm` before changes are accepted.",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [(b"content-type", b"application/json"), (b"retry-after", b"60")],
        }
    )
    await send({"type": "http.response.body", "body": body})
