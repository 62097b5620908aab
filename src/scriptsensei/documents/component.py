"""The storage component: built from settings at start-up and kept on the runtime."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog

from scriptsensei.core.runtime import Runtime
from scriptsensei.documents.spool import temp_dir
from scriptsensei.documents.storage import FileStorage, storage_from_settings

log = structlog.get_logger(__name__)

COMPONENT_NAME = "storage"
STALE_TEMP_SECONDS = 3600.0  # an upload spooled longer ago than this belongs to a dead process


def storage_of(runtime: Runtime) -> FileStorage:
    """The runtime's storage (started by `lifespan`), or one built from its settings."""
    storage = runtime.components.get(COMPONENT_NAME)
    if storage is None:
        storage = storage_from_settings(runtime.settings)
        runtime.components[COMPONENT_NAME] = storage
    return storage  # type: ignore[no-any-return]


def remove_stale_temp_files(directory: Path, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Spooled uploads left by a crashed process; never referenced by any row."""
    cutoff = time.time() - older_than
    removed = 0
    for path in directory.glob("upload-*.part"):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


@asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    runtime.settings.storage_dir.mkdir(parents=True, exist_ok=True)
    removed = remove_stale_temp_files(temp_dir(runtime.settings.data_dir))
    runtime.components[COMPONENT_NAME] = storage_from_settings(runtime.settings)
    log.info("storage_started", root=str(runtime.settings.storage_dir), stale_removed=removed)
    yield
    runtime.components.pop(COMPONENT_NAME, None)
