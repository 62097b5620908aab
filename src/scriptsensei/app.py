"""The web application: routers of every domain, started around one Runtime."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

import structlog
from fastapi import APIRouter, Depends, FastAPI

from scriptsensei import __version__
from scriptsensei.api.guards import GUARD_RESPONSES, refuse_nul_characters
from scriptsensei.auth.cors import install_cors
from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from scriptsensei.core.http import RequestIdMiddleware, install_error_handlers
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.security_headers import SecurityHeadersMiddleware
from scriptsensei.core.settings import Settings, get_settings
from scriptsensei.guard.component import WriteGuardMiddleware
from scriptsensei.observability.middleware import RequestMetricsMiddleware
from scriptsensei.observability.registry import Metrics

log = structlog.get_logger(__name__)

# Modules exposing `router: APIRouter`, in the order their routes are matched.
ROUTER_MODULES = [
    "scriptsensei.health.endpoints",
    "scriptsensei.observability.endpoints",
    "scriptsensei.guard.endpoints",
    "scriptsensei.events.endpoints",
    "scriptsensei.auth.endpoints",
    "scriptsensei.audit.endpoints",
    "scriptsensei.prescriptions.endpoints",
    "scriptsensei.review.endpoints",
    "scriptsensei.results.endpoints",
    "scriptsensei.configs.endpoints",
    "scriptsensei.engine_settings.endpoints",
    "scriptsensei.export.endpoints",
    "scriptsensei.stats.endpoints",
    "scriptsensei.api.docs",
    "scriptsensei.web.router",
]

# Modules exposing `lifespan(runtime) -> async context manager`, started in this order after
# the database is migrated and stopped in reverse order.
COMPONENT_MODULES: list[str] = [
    "scriptsensei.documents.component",
    "scriptsensei.prescriptions.component",
    "scriptsensei.guard.component",
    "scriptsensei.backup.schedule",
    "scriptsensei.events.component",
    "scriptsensei.engine_settings.component",
    "scriptsensei.auth.setup",
    "scriptsensei.jobs.component",
]

ComponentLifespan = Callable[[Runtime], AbstractAsyncContextManager[None]]


def _routers() -> list[APIRouter]:
    return [importlib.import_module(name).router for name in ROUTER_MODULES]


def _components() -> list[ComponentLifespan]:
    return [importlib.import_module(name).lifespan for name in COMPONENT_MODULES]


async def start_runtime(settings: Settings) -> Runtime:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    runtime = Runtime(settings=settings, db=Database(settings))
    if settings.run_migrations_on_startup:
        runtime.schema_revision = await migrate.upgrade(runtime.db)
    return runtime


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await start_runtime(settings)
        runtime.components["metrics"] = metrics
        app.state.runtime = runtime
        async with AsyncExitStack() as stack:
            for component in _components():
                await stack.enter_async_context(component(runtime))
            log.info("app_started", version=__version__, database=runtime.db.engine.dialect.name)
            yield
        await runtime.db.dispose()
        log.info("app_stopped")

    metrics = Metrics()
    # The schema and its viewer are served by `api.docs`, for signed-in callers only.
    app = FastAPI(
        title="ScriptSensei",
        version=__version__,
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_nul_characters)],
        responses=GUARD_RESPONSES,
    )
    app.add_middleware(WriteGuardMiddleware)
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    install_cors(app, settings)
    install_error_handlers(app)
    for router in _routers():
        app.include_router(router)
    return app
