"""Fixtures of the auth tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from scriptsensei.app import create_app
from scriptsensei.auth.permissions import Role
from tests.auth.support import add_user, app_db
from tests.conftest import make_settings


@pytest.fixture
async def settings_secure_client(
    database_url: str, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app with `cookie_secure` on, and a user `alice`."""
    app = create_app(make_settings(database_url, tmp_path / "secure", cookie_secure=True))
    async with app.router.lifespan_context(app):
        await add_user(app_db(app), "alice", Role.ADMIN)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            yield http
