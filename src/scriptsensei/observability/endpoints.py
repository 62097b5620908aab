"""`GET /metrics` in Prometheus text format, for a bearer token (when the setting is set)
or for requests from this host only."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from scriptsensei.core.errors import Forbidden, Unauthorized
from scriptsensei.core.http import get_runtime
from scriptsensei.core.runtime import Runtime
from scriptsensei.observability.collect import collect
from scriptsensei.observability.registry import Metrics

router = APIRouter(tags=["operations"])
LOCAL_CLIENTS = frozenset({"127.0.0.1", "::1", "localhost", "testclient"})


def metrics_of(runtime: Runtime) -> Metrics:
    metrics = runtime.components.get("metrics")
    if metrics is None:
        metrics = runtime.components["metrics"] = Metrics()
    return metrics  # type: ignore[no-any-return]


def _authorise(request: Request, token: str | None) -> None:
    if token:
        supplied = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not supplied:
            raise Unauthorized("Metrics need the bearer token set in SCRIPTSENSEI_METRICS_TOKEN.")
        if not hmac.compare_digest(supplied, token):
            raise Forbidden("That metrics token is not valid.")
        return
    client = request.client.host if request.client else ""
    if client not in LOCAL_CLIENTS:
        raise Forbidden(
            "Metrics are served to this host only; set SCRIPTSENSEI_METRICS_TOKEN to scrape "
            "from elsewhere."
        )


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus text format"},
        401: {"description": "Token required"},
        403: {"description": "Wrong token, or a remote client without a token"},
    },
)
async def metrics(request: Request, runtime: Runtime = Depends(get_runtime)) -> Response:
    _authorise(request, runtime.settings.metrics_token)
    registry = metrics_of(runtime)
    await collect(runtime, registry)
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
