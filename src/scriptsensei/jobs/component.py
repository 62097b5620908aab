"""Workers inside the web process (`settings.embedded_workers`, the default for `make run`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from scriptsensei.core.runtime import Runtime
from scriptsensei.extraction.registry import EngineRegistry, build_registry
from scriptsensei.jobs.pages import BlobReader, DirectoryBlobs, StoredPages
from scriptsensei.jobs.worker import Worker


def engine_registry(runtime: Runtime) -> EngineRegistry:
    """The registry another component published, or one built from the settings."""
    registry = runtime.components.get("engines")
    if isinstance(registry, EngineRegistry):
        return registry
    return build_registry(runtime.settings)


def blob_reader(runtime: Runtime) -> BlobReader:
    """The storage component when it can read by key, else the storage directory."""
    storage: Any = runtime.components.get("storage")
    if storage is not None and callable(getattr(storage, "read", None)):
        reader: BlobReader = storage
        return reader
    return DirectoryBlobs(runtime.settings.storage_dir)


def build_worker(runtime: Runtime) -> Worker:
    pages = StoredPages(runtime.db, blob_reader(runtime))
    return Worker(runtime.db, runtime.settings, engine_registry(runtime), pages=pages)


@asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    if not runtime.settings.embedded_workers:
        yield
        return
    worker = build_worker(runtime)
    runtime.components["worker"] = worker
    await worker.start()
    try:
        yield
    finally:
        await worker.stop()
