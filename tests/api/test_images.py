"""Page images: streamed with an ETag (sha256) and private caching, 304 on a match, legacy
base64 rows served alike."""

from __future__ import annotations

import base64
import hashlib

import httpx
from fastapi import FastAPI

from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import Prescription
from tests.api.helpers import app_db, png, upload
from tests.documents import samples


async def _legacy_row(app: FastAPI, data: bytes, *, data_url: bool = False) -> str:
    encoded = base64.b64encode(data).decode()
    if data_url:
        encoded = "data:image/jpeg;base64," + encoded
    async with unit_of_work(app_db(app)) as session:
        row = Prescription(
            file_name="old.jpg", file_size=str(len(data)), processing_status="completed",
            image_data=encoded, source="legacy",
        )  # fmt: skip
        session.add(row)
        await session.flush()
        return row.id


async def test_image_has_etag_and_cache_headers(
    viewer_client: httpx.AsyncClient, operator_client: httpx.AsyncClient
) -> None:
    response = await upload(operator_client, ("rx.png", png(3)))
    rx_id = response.json()["files"][0]["id"]
    image = await viewer_client.get(f"/api/prescriptions/{rx_id}/image")
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/")
    assert image.headers["cache-control"].startswith("private, max-age=")
    etag = image.headers["etag"]
    assert etag == f'"{hashlib.sha256(image.content).hexdigest()}"'
    again = await viewer_client.get(
        f"/api/prescriptions/{rx_id}/image", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = await viewer_client.get(
        f"/api/prescriptions/{rx_id}/image", headers={"If-None-Match": '"abc"'}
    )
    assert other.status_code == 200


def _two_page_pdf() -> bytes:
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    document.new_page(72, 100)
    document.new_page(100, 72)  # a different page, so a different image and hash
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


async def test_pages_of_a_pdf(
    viewer_client: httpx.AsyncClient, operator_client: httpx.AsyncClient
) -> None:
    response = await upload(operator_client, ("two.pdf", _two_page_pdf()))
    rx_id = response.json()["files"][0]["id"]
    first = await viewer_client.get(f"/api/prescriptions/{rx_id}/pages/1/image")
    second = await viewer_client.get(f"/api/prescriptions/{rx_id}/pages/2/image")
    assert first.status_code == second.status_code == 200
    assert first.headers["etag"] != second.headers["etag"]
    assert (await viewer_client.get(f"/api/prescriptions/{rx_id}/image")).content == first.content
    missing = await viewer_client.get(f"/api/prescriptions/{rx_id}/pages/3/image")
    assert missing.status_code == 404
    assert "2" in missing.json()["detail"]
    zero = await viewer_client.get(f"/api/prescriptions/{rx_id}/pages/0/image")
    assert zero.status_code == 404
    huge = await viewer_client.get(f"/api/prescriptions/{rx_id}/pages/99999999999999999999/image")
    assert huge.status_code == 404


async def test_legacy_base64_rows_are_served(
    app: FastAPI, viewer_client: httpx.AsyncClient
) -> None:
    jpeg = samples.jpeg()
    for data_url in (False, True):
        rx_id = await _legacy_row(app, jpeg, data_url=data_url)
        image = await viewer_client.get(f"/api/prescriptions/{rx_id}/image")
        assert image.status_code == 200
        assert image.content == jpeg
        assert image.headers["content-type"] == "image/jpeg"
        assert image.headers["etag"] == f'"{hashlib.sha256(jpeg).hexdigest()}"'
        cached = await viewer_client.get(
            f"/api/prescriptions/{rx_id}/image", headers={"If-None-Match": image.headers["etag"]}
        )
        assert cached.status_code == 304
    listed = (await viewer_client.get("/api/prescriptions")).json()
    assert all("imageData" not in row and "image_data" not in row for row in listed)
    assert len((await viewer_client.get("/api/prescriptions")).content) < len(jpeg) * 2 + 4000


async def test_row_without_image_is_404(app: FastAPI, viewer_client: httpx.AsyncClient) -> None:
    async with unit_of_work(app_db(app)) as session:
        row = Prescription(file_name="none.jpg", file_size="0", processing_status="failed")
        session.add(row)
        await session.flush()
        rx_id = row.id
    response = await viewer_client.get(f"/api/prescriptions/{rx_id}/image")
    assert response.status_code == 404
    assert response.json()["detail"] == "This prescription has no image."
