"""Wake-ups for a worker process of its own on SQLite.

SQLite has no NOTIFY, and the in-process signal does not cross processes. A commit by
another process appends to the database's write-ahead log, so a cheap `stat` of the
files (no query: an idle worker still sends nothing to the database) tells the worker
to look for work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

WATCH_INTERVAL_SECONDS = 1.0


def sqlite_path(database_url: str) -> Path | None:
    database = make_url(database_url).database
    return Path(database) if database and database != ":memory:" else None


def _signature(path: Path) -> tuple[tuple[int, int], ...]:
    files = (path, path.with_name(path.name + "-wal"))
    return tuple((s.st_mtime_ns, s.st_size) for s in (f.stat() for f in files if f.exists()))


async def watch_database_file(
    path: Path, on_change: Callable[[], None], interval: float = WATCH_INTERVAL_SECONDS
) -> None:
    """Call `on_change` whenever the database files change; runs until cancelled."""
    seen = _signature(path)
    while True:
        await asyncio.sleep(interval)
        current = _signature(path)
        if current != seen:
            seen = current
            on_change()
