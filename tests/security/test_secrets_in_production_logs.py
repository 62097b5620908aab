"""The secrets an installation is configured with never reach its logs, in the JSON lines
production writes: the secret key, the database password and an LLM engine's API key, each
actually used (a signed-in session, every query, a chat completion), plus a wrong password
and an API key presented at the door."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest

from scriptsensei.auth.permissions import Role
from scriptsensei.core.db import Database
from tests.auth.support import PASSWORD, add_user
from tests.conftest import make_settings
from tests.fakes.fixtures import engine_settings_for
from tests.fakes.openai_server import FakeOpenAIServer
from tests.reliability.traffic import admin_key, api_client, page_png
from tests.support import inventory
from tests.support.processes import AppProcess, Deployment

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]

SECRET_KEY = "k7Qp2vX9mB4nT8wR1yE6uI3oP5aS0dF7gH2jK9lZ"
DB_PASSWORD = "Db-pass-Zx81-never-logged"
LLM_KEY = "sk-or-v1-never-logged-4f9a2c7e1b3d5f6a8c0e"
WRONG_PASSWORD = "wrong-pass-Yq72-never-logged"


async def _sign_in_twice(base_url: str, pg_url: str, data_dir: Path) -> None:
    db = Database(make_settings(pg_url, data_dir))
    try:
        await add_user(db, "ops-admin", Role.ADMIN)
    finally:
        await db.dispose()
    async with httpx.AsyncClient(base_url=base_url) as client:
        bad = {"username": "ops-admin", "password": WRONG_PASSWORD}
        assert (await client.post("/api/auth/login", json=bad)).status_code == 401
        good = {"username": "ops-admin", "password": PASSWORD}
        assert (await client.post("/api/auth/login", json=good)).status_code == 200
        assert (await client.get("/api/prescriptions")).status_code == 200


async def _processed_by_the_llm(client: httpx.AsyncClient) -> None:
    files = [("files", ("rx.png", page_png(3), "image/png"))]
    response = await client.post(
        "/api/prescriptions/upload", files=files, data={"selectedModels": "vision"}
    )
    assert response.status_code == 201, response.text
    rx_id = response.json()["files"][0]["id"]
    deadline = time.monotonic() + 60
    while True:
        body = (await client.get(f"/api/prescriptions/{rx_id}")).json()
        if body["prescription"]["processingStatus"] in inventory.FINISHED:
            assert body["prescription"]["processingStatus"] == "completed", body
            return
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)


async def test_configured_secrets_never_reach_the_json_logs(
    pg_url: str, tmp_path: Path, processes: list[AppProcess]
) -> None:
    with FakeOpenAIServer(api_key=LLM_KEY) as llm:
        vision = engine_settings_for(llm, "vision", api_key_env="VISION_KEY", requires_key=True)
        with_password = pg_url.replace("postgres@", f"postgres:{DB_PASSWORD}@", 1)
        deployment = Deployment(with_password, tmp_path / "install", engine_seconds="0,0")
        deployment.settings.update(
            {
                "SCRIPTSENSEI_LOG_FORMAT": "json",
                "SCRIPTSENSEI_SECRET_KEY": SECRET_KEY,
                "SCRIPTSENSEI_LLM_ENGINES": json.dumps([vision.model_dump()]),
                "VISION_KEY": LLM_KEY,
            }
        )
        web = deployment.web(embedded=True)
        processes.append(web)
        await asyncio.to_thread(web.start)
        await _sign_in_twice(web.url, pg_url, deployment.data_dir)
        key = await admin_key(pg_url, deployment.data_dir)
        async with api_client(web.url, key) as client:
            await _processed_by_the_llm(client)
        assert llm.chat_requests, "the engine called the endpoint with its key"
        web.stop()

    log = web.log_path.read_text()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(line.get("event") == "upload_accepted" for line in lines)  # JSON lines, captured
    secrets = {
        "secret key": SECRET_KEY,
        "database password": DB_PASSWORD,
        "LLM API key": LLM_KEY,
        "user password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "API key": key,
    }
    assert [name for name, value in secrets.items() if value in log] == []
