"""CORS is closed unless origins are listed; `*` is refused."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from scriptsensei.app import create_app
from tests.conftest import make_settings


async def test_closed_by_default(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/api/auth/me",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers
    plain = await client.get("/api/auth/setup", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in plain.headers


async def test_listed_origin_is_allowed_with_credentials(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, cors_origins=["https://app.example/"])
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            preflight = await client.options(
                "/api/apikeys",
                headers={
                    "Origin": "https://app.example",
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "X-CSRF-Token",
                },
            )
            other = await client.get("/api/auth/setup", headers={"Origin": "https://evil.example"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in other.headers


def test_wildcard_is_refused(tmp_path: Path) -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db", tmp_path, cors_origins=["*"])
    with pytest.raises(ValueError, match="not '\\*'"):
        create_app(settings)
