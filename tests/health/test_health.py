"""`GET /api/health`: 200 with a reachable database, 503 when it points nowhere."""

from __future__ import annotations

from pathlib import Path

import httpx

from scriptsensei.app import create_app
from scriptsensei.core.migrate import head_revision
from tests.conftest import make_settings


async def test_healthy_with_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["reachable"] is True
    assert body["database"]["revision"] == head_revision()
    assert body["database"]["current"] is True
    assert body["uptimeSeconds"] >= 0
    assert body["version"]


async def test_unavailable_when_database_points_nowhere(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"
    settings = make_settings(url, tmp_path, run_migrations_on_startup=False, db_connect_timeout=1)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/api/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["reachable"] is False


async def test_unknown_route_gets_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert set(response.json()) == {"error", "detail"}
