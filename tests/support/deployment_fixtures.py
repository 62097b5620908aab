"""Fixtures for tests that run real `serve` and `worker` processes on a private PostgreSQL
database (the fault tests, cross-process settings): the database, the processes started,
and a deployment tying them to a data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import databases
from tests.support.processes import AppProcess, Deployment


@pytest.fixture
def pg_url(postgres_template: str) -> Iterator[str]:
    with databases.postgres_from_template(postgres_template) as url:
        yield url


@pytest.fixture
def processes() -> Iterator[list[AppProcess]]:
    """Every process a test starts; killed at the end whatever happened."""
    started: list[AppProcess] = []
    yield started
    for process in started:
        process.cleanup()


@pytest.fixture
def deployment(pg_url: str, tmp_path: Path) -> Deployment:
    return Deployment(pg_url, tmp_path / "install")
