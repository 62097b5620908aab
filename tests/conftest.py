"""Fixtures shared by every test: settings, real databases (SQLite and PostgreSQL), the app."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from scriptsensei.app import create_app
from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from tests.support import databases

pytest_plugins: list[str] = ["tests.fakes.fixtures", "tests.support.deployment_fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="run the long variants too")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="long variant: run with --runslow (see README)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": database_url,
        "data_dir": data_dir,
        "embedded_workers": False,
        "llm_engines": [],
        "log_format": "console",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated once, cloned by every test that needs one."""
    databases.require_postgres()
    name = databases.unique_name("sstmpl")
    databases.admin_execute(f'CREATE DATABASE "{name}"')
    url = databases.sqlalchemy_url(databases.dsn_for(name))

    async def prepare() -> None:
        db = Database(make_settings(url, Path("/tmp")), url)
        await migrate.upgrade(db)
        await db.dispose()

    asyncio.run(prepare())
    yield name
    databases.admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sqlite-template")
    url = databases.sqlite_url(directory)

    async def prepare() -> None:
        db = Database(make_settings(url, directory), url)
        await migrate.upgrade(db)
        await db.dispose()

    asyncio.run(prepare())
    return directory / "scriptsensei.db"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of the parametrised backend, private to the test."""
    if db_backend == "postgres":
        template = request.getfixturevalue("postgres_template")
        with databases.postgres_from_template(template) as url:
            yield url
        return
    source: Path = request.getfixturevalue("sqlite_template")
    shutil.copy(source, tmp_path / "scriptsensei.db")
    yield databases.sqlite_url(tmp_path)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "data")


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings)
    yield database
    await database.dispose()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
