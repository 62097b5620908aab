"""The route class of every page router: errors a person can act on become pages
(forbidden, not found, bad request) instead of the API's JSON bodies."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from scriptsensei.core.errors import BadRequest, Conflict, NotFound
from scriptsensei.web.access import PageForbidden
from scriptsensei.web.templating import render

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _error_page(request: Request, status: int, title: str, detail: str) -> Response:
    principal = getattr(request.state, "principal", None)
    context = {"title": title, "detail": detail, "status": status}
    return render(request, "error.html", principal, context, status_code=status)


class PageRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except PageForbidden as exc:
                detail = (
                    f"Your role ({exc.principal.role}) does not allow this page "
                    f"({exc.permission}). Ask an administrator if you need it."
                )
                return _error_page(request, 403, "Not allowed", detail)
            except NotFound as exc:
                return _error_page(request, 404, "Not found", exc.detail)
            except (BadRequest, Conflict) as exc:
                return _error_page(request, exc.status_code, "Cannot do that", exc.detail)

        return page_handler


def page_router() -> APIRouter:
    # Pages are not part of the JSON API's schema.
    return APIRouter(route_class=PageRoute, include_in_schema=False)
