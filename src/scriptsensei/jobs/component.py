"""Workers inside the web process (`settings.embedded_workers`, the default for `make run`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from scriptsensei.core.runtime import Runtime
from scriptsensei.engine_settings.catalog import EngineCatalog
from scriptsensei.extraction.registry import EngineRegistry
from scriptsensei.jobs.pages import BlobReader, DirectoryBlobs, StoredPages
from scriptsensei.jobs.worker import Worker


def blob_reader(runtime: Runtime) -> BlobReader:
    """The storage component when it can read by key, else the storage directory."""
    storage: Any = runtime.components.get("storage")
    if storage is not None and callable(getattr(storage, "read", None)):
        reader: BlobReader = storage
        return reader
    return DirectoryBlobs(runtime.settings.storage_dir)


def build_worker(runtime: Runtime) -> Worker:
    """A worker on the registry another component published, else on an engine catalog of
    its own, brought up to date with the stored engine settings in each claim."""
    pages = StoredPages(runtime.db, blob_reader(runtime))
    published = runtime.components.get("engines")
    if isinstance(published, EngineRegistry):
        return Worker(runtime.db, runtime.settings, published, pages=pages)
    catalog = EngineCatalog(runtime.settings)
    return Worker(
        runtime.db, runtime.settings, catalog.registry, pages=pages, refresh=catalog.refresh
    )


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
