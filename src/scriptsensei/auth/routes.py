"""What each route of the app demands, read from its dependencies.

A route-table test uses this so that a new route is covered by the auth matrix the moment
it is added: `RouteInfo.requirements` is empty for an open route, else the set of
permissions `require(...)` demands (None meaning "signed in, any role"). WebSocket routes
that authenticate inside the handler (not through a dependency) show no requirement here
and need a test of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIWebSocketRoute, iter_route_contexts

from scriptsensei.auth.permissions import Permission

_UNSET = object()


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]  # empty for a WebSocket route
    websocket: bool
    requirements: frozenset[Permission | None]


def _walk(dependant: Dependant) -> set[Permission | None]:
    found: set[Permission | None] = set()
    for sub in dependant.dependencies:
        permission = getattr(sub.call, "required_permission", _UNSET)
        if permission is not _UNSET:
            found.add(permission)  # type: ignore[arg-type]
        found |= _walk(sub)
    return found


def app_routes(app: FastAPI) -> list[RouteInfo]:
    """Every route, with the included routers' prefixes and dependencies applied."""
    routes = []
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        routes.append(
            RouteInfo(
                path=context.path or "",
                methods=frozenset(context.methods or ()),
                websocket=isinstance(context.original_route, APIWebSocketRoute),
                requirements=frozenset(_walk(dependant) if dependant else ()),
            )
        )
    return routes
