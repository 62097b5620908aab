"""Database engine and sessions for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from scriptsensei.core.settings import Settings


def is_sqlite_url(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers run beside the writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine(settings: Settings, url: str | None = None) -> AsyncEngine:
    url = url or settings.resolved_database_url
    if is_sqlite_url(url):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        # A restarted PostgreSQL leaves dead connections in the pool: test before use.
        pool_pre_ping=True,
        connect_args={
            "timeout": settings.db_connect_timeout,
            "server_settings": {"application_name": "scriptsensei"},
        },
    )


class Database:
    """The engine and the session factory of one process."""

    def __init__(self, settings: Settings, url: str | None = None) -> None:
        self.url = url or settings.resolved_database_url
        self.engine = create_engine(settings, self.url)
        # Every session can reach its Database (and so the event bus) through `info`.
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, info={"database": self}
        )
        # Set by the events component at start-up; None means "no live delivery".
        self.event_bus: Any = None
        # In-process wake-up for workers on SQLite (PostgreSQL uses LISTEN/NOTIFY).
        self.work_available = asyncio.Event()

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def dispose(self) -> None:
        await self.engine.dispose()


def database_of(session: AsyncSession) -> Database:
    db: Database = session.info["database"]
    return db


async def wait_for_database(db: Database, limit_seconds: float, interval: float = 1.0) -> float:
    """Retry a trivial query until the database answers; returns the seconds waited."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while True:
        try:
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return loop.time() - started
        except (OSError, SQLAlchemyError) as exc:
            if loop.time() - started + interval > limit_seconds:
                raise TimeoutError(
                    f"The database did not answer within {limit_seconds:.0f}s: {exc!s:.200}"
                ) from exc
            await asyncio.sleep(interval)
