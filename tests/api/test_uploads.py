"""Uploads: per-file outcomes and statuses, request limits, upload-and-process."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from scriptsensei.app import create_app
from scriptsensei.auth.permissions import Role
from scriptsensei.extraction.registry import EngineRegistry
from scriptsensei.models import Prescription
from tests.api.conftest import StartWorker
from tests.api.helpers import app_db, files, png, upload
from tests.conftest import make_settings
from tests.documents import samples
from tests.jobs.fake_engines import FakeEngine
from tests.support.auth_clients import api_key_for, key_client


async def _count(app: FastAPI) -> int:
    async with app_db(app).sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Prescription)) or 0)


async def test_all_accepted_is_201_with_every_file(operator_client: httpx.AsyncClient) -> None:
    response = await upload(operator_client, ("a.png", png(1)), ("b.pdf", samples.pdf(2)))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["accepted"] == 2
    assert body["rejected"] == 0
    assert [f["status"] for f in body["files"]] == ["created", "created"]
    assert [p["fileName"] for p in body["prescriptions"]] == ["a.png", "b.pdf"]
    assert body["prescriptions"][1]["pageCount"] == 2
    assert body["prescriptions"][0]["source"] == "api"


async def test_accepted_uploads_carry_no_error(operator_client: httpx.AsyncClient) -> None:
    body = (await upload(operator_client, ("a.png", png(7)))).json()
    assert body["error"] is None and body["detail"] is None


async def test_some_rejected_is_207_with_reasons(
    app: FastAPI, admin_client: httpx.AsyncClient
) -> None:
    response = await upload(
        admin_client, ("good.png", png(1)), ("page.html", b"<html><body>hi</body></html>"),
        ("empty.png", b""),
    )  # fmt: skip
    assert response.status_code == 207, response.text
    good, html, empty = response.json()["files"]
    assert good["status"] == "created" and good["id"]
    assert html == {
        "fileName": "page.html",
        "status": "rejected",
        "id": None,
        "duplicateOf": [],
        "error": "unsupported_type",
        "detail": html["detail"],
    }
    assert "not supported" in html["detail"] or "type" in html["detail"]
    assert empty["error"] == "empty_file"
    assert await _count(app) == 1


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        (b"GIF89a not a prescription", 415, "unsupported_type"),
        (b"", 400, "empty_file"),
        (png(1)[:60], 422, "corrupt_file"),
    ],
)
async def test_all_rejected_answers_their_status(
    app: FastAPI, admin_client: httpx.AsyncClient, data: bytes, status: int, error: str
) -> None:
    response = await upload(admin_client, ("x.png", data))
    assert response.status_code == status, response.text
    body = response.json()
    assert body["files"][0]["error"] == error
    # the error shape every error has, with the file's own reason
    assert body["error"] == error and body["detail"] == body["files"][0]["detail"]
    assert await _count(app) == 0


async def test_mixed_reasons_without_success_is_400(admin_client: httpx.AsyncClient) -> None:
    response = await upload(admin_client, ("a.gif", b"GIF89a..."), ("b.png", b""))
    assert response.status_code == 400
    body = response.json()
    assert body["accepted"] == 0
    assert body["error"] == "files_rejected"
    assert "None of the 2 files was accepted" in body["detail"]


async def test_too_many_files_is_413(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        database_url, tmp_path / "d", local_engines=["alpha"], max_files_per_request=2
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        app.state.runtime.components["engines"] = EngineRegistry([FakeEngine("alpha")])
        async with key_client(app, await api_key_for(app, Role.OPERATOR)) as client:
            response = await upload(client, *[(f"{i}.png", png(i)) for i in range(3)])
            assert response.status_code == 413
            assert response.json()["error"] == "too_many_files"
            assert await _count(app) == 0


async def test_declared_gigabyte_is_refused_before_reading(
    operator_client: httpx.AsyncClient,
) -> None:
    async def never_sent() -> object:
        raise AssertionError("the body must not be read")
        yield b""  # pragma: no cover

    response = await operator_client.post(
        "/api/prescriptions/upload",
        content=never_sent(),  # type: ignore[arg-type]
        headers={
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(1024**3),
        },
    )
    assert response.status_code == 413
    assert response.json()["error"] == "request_too_large"


async def test_body_over_the_limit_without_length_is_cut(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        database_url, tmp_path / "d", local_engines=["alpha"], max_request_bytes=50_000
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        app.state.runtime.components["engines"] = EngineRegistry([FakeEngine("alpha")])
        async with key_client(app, await api_key_for(app, Role.OPERATOR)) as client:
            request = client.build_request(
                "POST",
                "/api/prescriptions/upload",
                files=files(("big.png", b"\x89PNG" + b"0" * 80_000)),
            )
            del request.headers["Content-Length"]
            response = await client.send(request)
            assert response.status_code == 413
            assert response.json()["error"] == "request_too_large"
            assert await _count(app) == 0


async def test_not_multipart_and_no_files(operator_client: httpx.AsyncClient) -> None:
    as_json = await operator_client.post("/api/prescriptions/upload", json={"files": []})
    assert as_json.status_code == 415
    assert "multipart/form-data" in as_json.json()["detail"]
    empty = await operator_client.post(
        "/api/prescriptions/upload", files={"other": ("a.txt", b"x")}
    )
    assert empty.status_code == 400
    assert "files" in empty.json()["detail"]
    broken = await operator_client.post(
        "/api/prescriptions/upload",
        content=b"--x\r\nnonsense",
        headers={"Content-Type": "multipart/form-data"},
    )
    assert broken.status_code == 400


async def test_upload_options_are_checked(operator_client: httpx.AsyncClient) -> None:
    unknown = await upload(operator_client, ("a.png", png(1)), selectedModels='["gpt-9"]')
    assert unknown.status_code == 400
    assert "gpt-9" in unknown.json()["detail"]
    prompts = await upload(operator_client, ("a.png", png(1)), customPrompts="{not json")
    assert prompts.status_code == 400
    chosen = await upload(operator_client, ("a.png", png(1)), selectedModels="beta")
    assert chosen.status_code == 201
    assert chosen.json()["prescriptions"][0]["enginesTotal"] == 1


async def test_unknown_config_is_404_and_nothing_is_written(
    app: FastAPI, operator_client: httpx.AsyncClient
) -> None:
    response = await upload(operator_client, ("a.png", png(1)), configId="no-such-config")
    assert response.status_code == 404, response.text
    assert "no extraction config" in response.json()["detail"]
    assert await _count(app) == 0


async def test_viewer_cannot_upload(viewer_client: httpx.AsyncClient) -> None:
    response = await upload(viewer_client, ("a.png", png(1)))
    assert response.status_code == 403


async def test_upload_and_process_answers_the_result(
    operator_client: httpx.AsyncClient, start_worker: StartWorker
) -> None:
    await start_worker()
    response = await operator_client.post(
        "/api/prescriptions/upload-and-process", files=files(("rx.png", png(7)))
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"id", "status", "fileName", "extractedData", "modelResults"}
    assert body["status"] == "completed"
    assert body["fileName"] == "rx.png"
    assert body["extractedData"]["medications"][0]["drugName"] == "Paracetamol"
    assert body["modelResults"]["alpha"]["status"] == "succeeded"
    assert body["modelResults"]["beta"]["values"]["medications.0.strength"] == "650 mg"


async def test_upload_and_process_reports_a_failure(
    operator_client: httpx.AsyncClient, start_worker: StartWorker, engines: list[FakeEngine]
) -> None:
    from scriptsensei.extraction.engine import PermanentEngineError

    for engine in engines:
        engine.script = [PermanentEngineError("refused the image")]
    await start_worker()
    response = await operator_client.post(
        "/api/prescriptions/upload-and-process", files=files(("rx.png", png(8)))
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "failed"
    assert "refused the image" in response.json()["error"]


async def test_upload_and_process_times_out_with_202(
    app: FastAPI, operator_client: httpx.AsyncClient
) -> None:
    # Nothing processes: after the (short) wait the answer says where to look later.
    app.state.runtime.settings.upload_and_process_timeout = 0.3
    response = await operator_client.post(
        "/api/prescriptions/upload-and-process", files=files(("rx.png", png(9)))
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued"
    assert body["statusUrl"] == f"/api/prescriptions/{body['id']}"
    follow = await operator_client.get(body["statusUrl"])
    assert follow.status_code == 200


async def test_upload_and_process_takes_one_file(operator_client: httpx.AsyncClient) -> None:
    response = await operator_client.post(
        "/api/prescriptions/upload-and-process", files=files(("a.png", png(1)), ("b.png", png(2)))
    )
    assert response.status_code == 400
    rejected = await operator_client.post(
        "/api/prescriptions/upload-and-process", files=files(("a.gif", b"GIF89a"))
    )
    assert rejected.status_code == 415
    assert rejected.json()["error"] == "unsupported_type"
