"""The earlier API guide's Python `requests` example, run against a live server: upload
with the `files` field and `X-API-Key`, then fetch the prescription, list and export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from scriptsensei.auth.permissions import Role
from tests.api.helpers import png
from tests.conftest import make_settings
from tests.support.live_server import LiveServer, live_server


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(make_settings(database_url, tmp_path / "data")) as running:
        yield running


def test_guide_example(server: LiveServer, tmp_path: Path) -> None:
    api = server.base_url
    headers = {"X-API-Key": server.api_key(Role.OPERATOR)}
    image = tmp_path / "prescription.png"
    image.write_bytes(png(5))

    # --- as in the guide ---
    with image.open("rb") as f:
        upload = requests.post(
            f"{api}/api/prescriptions/upload", files={"files": f}, headers=headers, timeout=30
        )
    upload.raise_for_status()
    prescription_id = upload.json()["prescriptions"][0]["id"]
    result = requests.get(f"{api}/api/prescriptions/{prescription_id}", headers=headers, timeout=30)
    result.raise_for_status()
    data = result.json()
    print(data["prescription"]["processingStatus"], len(data["extractionResults"]))
    # --- end of the guide's example ---

    assert upload.status_code == 201
    assert data["prescription"]["id"] == prescription_id
    assert data["prescription"]["fileName"] == "prescription.png"
    assert data["prescription"]["processingStatus"] == "queued"
    assert data["extractionResults"] == []

    listed = requests.get(f"{api}/api/prescriptions?limit=1", headers=headers, timeout=30)
    assert [row["id"] for row in listed.json()] == [prescription_id]
    exported = requests.get(f"{api}/api/export/csv", headers=headers, timeout=30)
    assert prescription_id in exported.text
    image_response = requests.get(
        f"{api}/api/prescriptions/{prescription_id}/image", headers=headers, timeout=30
    )
    assert image_response.headers["ETag"]
    anonymous = requests.get(f"{api}/api/prescriptions", timeout=30)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "unauthorized"
    docs = requests.get(f"{api}/docs", headers=headers, timeout=30)
    assert docs.status_code == 200
    hidden = requests.get(f"{api}/docs", timeout=30, allow_redirects=False)
    assert hidden.status_code == 303
