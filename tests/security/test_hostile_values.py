"""SQL-looking and script-looking values in every list filter and writable field: filters
match nothing (and never everything), values are stored verbatim and come back as data,
escaped in pages; malformed JSON bodies and oversized prompts get a clear 4xx and change
nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from scriptsensei.app import create_app
from scriptsensei.auth.permissions import Role
from tests.api.conftest import StartWorker
from tests.api.helpers import processed, upload_one
from tests.conftest import make_settings
from tests.support.auth_clients import session_client
from tests.support.footprint import footprint

SQL = "x' OR '1'='1'; DROP TABLE prescriptions; --"
SCRIPT = "<script>alert('pwned')</script>"
ATTRIBUTE = '" onmouseover="alert(1)" x="'
TEMPLATE = "{{ 7*7 }}${7*7}"
HOSTILE = [SQL, SCRIPT, ATTRIBUTE, TEMPLATE, "%", "_", "\\", "' --", "1; SELECT pg_sleep(5)"]


def query_filters() -> list[tuple[str, str]]:
    """Every query parameter of every GET operation without a path parameter, read from the
    OpenAPI schema: a filter added later is covered without touching this file."""
    app = create_app(make_settings("sqlite+aiosqlite:///:memory:", Path(tempfile.gettempdir())))
    found = []
    for path, operations in sorted(app.openapi()["paths"].items()):
        if "{" in path or "get" not in operations:
            continue
        found += [
            (path, parameter["name"])
            for parameter in operations["get"].get("parameters", [])
            if parameter["in"] == "query"
        ]
    return found


FILTERS = query_filters()


def test_the_generated_filter_list_covers_the_known_filters() -> None:
    # a guard on the generator itself: it must find the filters we know of
    expected = {
        ("/api/prescriptions", "q"), ("/api/prescriptions", "status"),
        ("/api/prescriptions", "cursor"), ("/api/extraction-results", "needsReview"),
        ("/api/audit", "actor"), ("/api/export/json", "prescriptionIds"),
        ("/api/export/csv", "engine"), ("/api/stats", "since"), ("/api/review/next", "after"),
    }  # fmt: skip
    assert expected <= set(FILTERS)
    assert len(FILTERS) > 40


@pytest.mark.parametrize(("path", "name"), FILTERS, ids=[f"{p}?{n}" for p, n in FILTERS])
async def test_hostile_filter_values_match_nothing_and_break_nothing(
    app: FastAPI, admin_client: httpx.AsyncClient, path: str, name: str
) -> None:
    await upload_one(admin_client, "ordinary.png")
    before = await footprint(app)
    for value in HOSTILE:
        response = await admin_client.get(path, params={name: value})
        assert response.status_code in (200, 400, 404, 422), (value, response.text)
        if response.status_code != 200:
            assert response.json()["error"] in ("bad_request", "invalid_request", "not_found")
            continue
        # matches nothing: the one prescription is in no answer (JSON, NDJSON or CSV)
        assert "ordinary.png" not in response.text, (value, response.text[:300])
    assert before.difference(await footprint(app)) == []
    assert len((await admin_client.get("/api/prescriptions")).json()) == 1


async def test_wildcards_in_search_are_literal(admin_client: httpx.AsyncClient) -> None:
    await upload_one(admin_client, "ordinary.png", seed=1)
    await upload_one(admin_client, "50%_off.png", seed=2)
    for term, expected in (
        ("%", ["50%_off.png"]),
        ("_", ["50%_off.png"]),
        ("ordinary", ["ordinary.png"]),
    ):
        found = (await admin_client.get("/api/prescriptions", params={"q": term})).json()
        assert [r["fileName"] for r in found] == expected, term


async def test_config_values_are_stored_verbatim_and_escaped_in_pages(
    app: FastAPI, admin_client: httpx.AsyncClient
) -> None:
    prompts = {"patientDetails.patientName": SCRIPT + SQL, "medications.0.drugName": ATTRIBUTE}
    body = {"name": SCRIPT + TEMPLATE, "selectedModels": ["alpha"], "customPrompts": prompts}
    created = await admin_client.post("/api/configs", json=body)
    assert created.status_code == 201, created.text
    stored = (await admin_client.get(f"/api/configs/{created.json()['id']}")).json()
    assert stored["name"] == SCRIPT + TEMPLATE
    assert stored["customPrompts"] == prompts
    assert (
        (await admin_client.get("/api/configs"))
        .headers["content-type"]
        .startswith("application/json")
    )
    browser = await session_client(app, Role.ADMIN)
    try:
        page = (await browser.get("/settings")).text
    finally:
        await browser.aclose()
    assert_escaped(page, SCRIPT)
    assert "&lt;script&gt;alert(" in page
    assert ' onmouseover="alert(1)"' not in page


def assert_escaped(page: str, value: str) -> None:
    assert value not in page
    assert "<script>alert(" not in page


async def test_review_corrections_are_stored_verbatim_and_escaped_in_pages(
    app: FastAPI, admin_client: httpx.AsyncClient, start_worker: StartWorker
) -> None:
    await start_worker()
    [rx_id] = await processed(app, admin_client)
    updates = {"patientDetails.patientName": SCRIPT, "medications.0.drugName": SQL}
    response = await admin_client.patch(
        f"/api/prescriptions/{rx_id}/extracted-data",
        json={"fieldUpdates": updates, "comment": ATTRIBUTE},
    )
    assert response.status_code == 200, response.text
    data = (await admin_client.get(f"/api/prescriptions/{rx_id}")).json()["prescription"]
    assert data["extractedData"]["patientDetails"]["patientName"] == SCRIPT
    assert data["extractedData"]["medications"][0]["drugName"] == SQL
    assert len((await admin_client.get("/api/prescriptions")).json()) == 1  # table intact
    browser = await session_client(app, Role.REVIEWER)
    try:
        page = await browser.get(f"/prescriptions/{rx_id}")
    finally:
        await browser.aclose()
    assert page.status_code == 200
    assert_escaped(page.text, SCRIPT)
    assert "&lt;script&gt;alert(" in page.text


async def test_hostile_file_names_are_escaped_in_pages(
    app: FastAPI, admin_client: httpx.AsyncClient
) -> None:
    name = "<img src=x onerror=alert(1)>.png"
    await upload_one(admin_client, name)
    browser = await session_client(app, Role.VIEWER)
    try:
        pages = [(await browser.get(path)).text for path in ("/", "/queue", "/history")]
    finally:
        await browser.aclose()
    assert any("&lt;img src=x onerror=alert(1)&gt;.png" in page for page in pages)
    assert all("<img src=x" not in page for page in pages)


def json_operations(app: FastAPI) -> list[tuple[str, str]]:
    """Every operation of the schema that takes a JSON body."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method, spec in operations.items():
            content = spec.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                found.append((method.upper(), path))
    return found


MALFORMED = [b'{"name": ', b"[1, 2", b"\xff\xfe not utf-8", b'{"a": 1,}', b"{'single': 'quotes'}"]


async def test_malformed_json_bodies_get_a_clear_422_everywhere(
    app: FastAPI, admin_client: httpx.AsyncClient
) -> None:
    rx_id = await upload_one(admin_client)
    operations = json_operations(app)
    assert len(operations) >= 10
    before = await footprint(app)
    for method, path in operations:
        url = path.replace("{prescription_id}", rx_id)
        url = url.replace("{", "").replace("}", "")
        for body in MALFORMED:
            response = await admin_client.request(
                method, url, content=body, headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 422, (method, path, body, response.text)
            assert response.json()["error"] == "invalid_request", (method, path)
            assert response.json()["detail"], (method, path)
    assert before.difference(await footprint(app)) == []


async def test_oversized_custom_prompts_are_refused_with_the_limit(
    app: FastAPI, admin_client: httpx.AsyncClient, start_worker: StartWorker
) -> None:
    limit = app.state.runtime.settings.max_custom_prompt_chars
    await start_worker()
    [rx_id] = await processed(app, admin_client)
    prompts = {"patientDetails.patientName": "p" * (limit + 1)}
    before = await footprint(app)
    made = await admin_client.post(
        "/api/configs", json={"name": "big", "selectedModels": ["alpha"], "customPrompts": prompts}
    )
    process = await admin_client.post(
        f"/api/prescriptions/{rx_id}/process", json={"customPrompts": prompts}
    )
    for response in (made, process):
        assert response.status_code in (400, 422), response.text
        assert str(limit) in response.json()["detail"], response.text
    assert before.difference(await footprint(app)) == []
