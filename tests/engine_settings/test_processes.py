"""Real processes on one PostgreSQL database: engine settings changed through the API of a
`serve` process reach a `scriptsensei worker` process (which had already started, and was
idle) in the next run it claims, and reach a second `serve` process's engine list."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest

from tests.fakes.fixtures import engine_settings_for
from tests.fakes.openai_server import FakeOpenAIServer
from tests.reliability.traffic import admin_key, api_client, page_png
from tests.support import inventory
from tests.support.processes import AppProcess, Deployment

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

ENGINES = "vision,sleepy_a,sleepy_b"


async def _process_one(client: httpx.AsyncClient, seed: int) -> str:
    files = [("files", (f"rx-{seed}.png", page_png(seed), "image/png"))]
    response = await client.post(
        "/api/prescriptions/upload", files=files, data={"selectedModels": ENGINES}
    )
    assert response.status_code == 201, response.text
    prescription_id = str(response.json()["files"][0]["id"])
    deadline = time.monotonic() + 60
    while True:
        status = (await client.get(f"/api/prescriptions/{prescription_id}")).json()
        if status["prescription"]["processingStatus"] in inventory.FINISHED:
            return prescription_id
        assert time.monotonic() < deadline, status
        await asyncio.sleep(0.1)


async def _runs(url: str, prescription_id: str) -> dict[str, tuple[str, str | None]]:
    rows = await inventory.fetch(
        url,
        "SELECT engine_name, status, error FROM engine_runs WHERE prescription_id = $1",
        prescription_id,
    )
    return {r["engine_name"]: (r["status"], r["error"]) for r in rows}


async def _wait_unavailable(client: httpx.AsyncClient, name: str) -> dict[str, object]:
    deadline = time.monotonic() + 10
    while True:
        engines = {e["name"]: e for e in (await client.get("/api/engines")).json()}
        if not engines[name]["available"]:
            return engines[name]
        assert time.monotonic() < deadline, f"{name} still available on the other instance"
        await asyncio.sleep(0.05)


async def test_settings_changed_on_one_web_process_reach_a_worker_and_another_web_process(
    pg_url: str, tmp_path: Path, fake_llm: FakeOpenAIServer, processes: list[AppProcess]
) -> None:
    vision = engine_settings_for(fake_llm, "vision", model="vision/from-environment")
    deployment = Deployment(pg_url, tmp_path / "install", engine_seconds="0,0")
    deployment.settings["SCRIPTSENSEI_LLM_ENGINES"] = json.dumps([vision.model_dump()])
    web, other, worker = deployment.web("web-1"), deployment.web("web-2"), deployment.worker()
    processes += [web, other, worker]
    for process in processes:
        await asyncio.to_thread(process.start)
    key = await admin_key(pg_url, deployment.data_dir)

    async with api_client(web.url, key) as client, api_client(other.url, key) as second:
        first = await _process_one(client, seed=1)
        assert [r.body["model"] for r in fake_llm.chat_requests] == ["vision/from-environment"]

        # The worker is idle now; the change is made through the first web process only.
        change = {"model": "vision/from-settings", "inputPricePerMTok": 0}
        assert (await client.put("/api/engines/vision", json=change)).status_code == 200
        off = await client.put("/api/engines/sleepy_b", json={"enabled": False})
        assert off.status_code == 200, off.text
        shown = await _wait_unavailable(second, "sleepy_b")
        assert shown["reason"] == "switched off in Settings"

        later = await _process_one(second, seed=2)

    models = [r.body["model"] for r in fake_llm.chat_requests]
    assert models == ["vision/from-environment", "vision/from-settings"]
    assert {k: v[0] for k, v in (await _runs(pg_url, first)).items()} == dict.fromkeys(
        ENGINES.split(","), "succeeded"
    )
    runs = await _runs(pg_url, later)
    assert runs["vision"][0] == runs["sleepy_a"][0] == "succeeded"
    assert runs["sleepy_b"][0] == "failed"
    assert "switched off in Settings" in (runs["sleepy_b"][1] or "")
