"""The data-loss guard: a wiped database beside a full file store refuses writes until an
operator confirms; a normal restart does not trip it, whether or not the process migrates."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from scriptsensei.auth.apikeys import create_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.cli import app as cli
from scriptsensei.core import migrate
from scriptsensei.core.settings import Settings, get_settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.guard.service import MARKER_NAME, read_marker, write_marker
from tests.conftest import make_settings
from tests.guard.helpers import running
from tests.support import databases


async def _admin_key(app: FastAPI) -> dict[str, str]:
    async with unit_of_work(app.state.runtime.db) as session:
        created = await create_api_key(session, name="ops", role=Role.ADMIN)
    return {"X-API-Key": created.key}


def _store_a_file(settings: Settings) -> None:
    original = settings.storage_dir / "originals" / "ab" / "cd" / ("ab" * 32)
    original.parent.mkdir(parents=True, exist_ok=True)
    original.write_bytes(b"an upload")


def _fresh_database(settings: Settings, db_backend: str, stack: list[object]) -> Settings:
    if db_backend == "postgres":
        ctx = databases.empty_postgres_database()
        url = ctx.__enter__()
        stack.append(ctx)
    else:
        os.remove(settings.resolved_database_url.split("///", 1)[1])
        url = settings.resolved_database_url
    return make_settings(url, settings.data_dir)


async def test_normal_restarts_do_not_trip_the_guard(settings: Settings) -> None:
    async with running(settings) as (app, _):
        assert "write_guard" not in app.state.runtime.components
    marker = read_marker(settings.storage_dir)
    assert marker is not None
    _store_a_file(settings)
    async with running(settings) as (app, _client):
        assert "write_guard" not in app.state.runtime.components


async def test_restarts_without_migrations_at_start_up_do_not_trip_the_guard(
    settings: Settings,
) -> None:
    """Migrations applied by a separate step (`scriptsensei db upgrade`), not by the app: the
    guard still compares the database's own schema revision with the store's."""
    migrated_elsewhere = make_settings(
        settings.resolved_database_url, settings.data_dir, run_migrations_on_startup=False
    )
    for start in range(3):
        if start == 1:
            _store_a_file(settings)
        async with running(migrated_elsewhere) as (app, client):
            assert "write_guard" not in app.state.runtime.components
            headers = await _admin_key(app)
            created = await client.post(
                "/api/apikeys", json={"name": "n", "role": "viewer"}, headers=headers
            )
            assert created.status_code == 201, created.text
    marker = read_marker(settings.storage_dir)
    assert marker is not None
    assert marker["revision"] == migrate.head_revision()


async def test_wiped_database_beside_stored_files_refuses_writes(
    settings: Settings, db_backend: str
) -> None:
    async with running(settings):
        pass
    _store_a_file(settings)
    stack: list[object] = []
    try:
        replaced = _fresh_database(settings, db_backend, stack)
        async with running(replaced) as (app, client):
            headers = await _admin_key(app)  # created directly: the service is not the HTTP edge
            assert "write_guard" in app.state.runtime.components
            new_key = {"name": "integration", "role": "viewer"}
            refused = await client.post("/api/apikeys", json=new_key, headers=headers)
            assert refused.status_code == 503
            assert refused.json()["error"] == "writes_paused"
            assert "scriptsensei guard confirm" in refused.json()["detail"]
            assert (await client.get("/api/health")).status_code == 200  # reads still served
            status = await client.get("/api/admin/guard", headers=headers)
            assert status.json()["engaged"] is True
            confirmed = await client.post("/api/admin/guard/confirm", headers=headers)
            assert confirmed.status_code == 200, confirmed.text
            assert confirmed.json() == {"engaged": False, "reason": None}
            after = await client.post("/api/apikeys", json=new_key, headers=headers)
            assert after.status_code == 201, after.text
        async with running(replaced) as (app, _):
            assert "write_guard" not in app.state.runtime.components
    finally:
        for ctx in stack:
            ctx.__exit__(None, None, None)  # type: ignore[attr-defined]


async def test_older_schema_than_the_store_has_seen(settings: Settings) -> None:
    async with running(settings):
        pass
    marker = read_marker(settings.storage_dir)
    assert marker is not None
    write_marker(settings.storage_dir, marker["instance_id"], "9999")
    async with running(settings) as (app, _):
        reason = app.state.runtime.components["write_guard"]
        assert "older than the newest" in reason


def test_guard_commands(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRIPTSENSEI_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("SCRIPTSENSEI_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        settings.storage_dir.mkdir(parents=True)
        write_marker(settings.storage_dir, "someone-else", "0001")
        runner = CliRunner()
        result = runner.invoke(cli, ["guard", "status"])
        assert result.exit_code == 1
        assert "ENGAGED" in result.output
        result = runner.invoke(cli, ["guard", "confirm"])
        assert result.exit_code == 0, result.output
        assert "Confirmed" in result.output
        assert runner.invoke(cli, ["guard", "status"]).exit_code == 0
        assert (settings.storage_dir / MARKER_NAME).exists()
    finally:
        get_settings.cache_clear()


def test_marker_survives_a_missing_directory(tmp_path: Path) -> None:
    assert read_marker(tmp_path / "nowhere") is None
