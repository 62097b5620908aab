"""Fixtures of the migration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import databases


@pytest.fixture
def empty_url(db_backend: str, tmp_path: Path) -> Iterator[str]:
    """A database of the parametrised backend with nothing in it, not even migrations."""
    if db_backend == "postgres":
        with databases.empty_postgres_database() as url:
            yield url
    else:
        yield databases.sqlite_url(tmp_path)
