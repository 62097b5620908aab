"""A corpus of hostile uploads, one case per input: each gets its clear 4xx and error code,
and leaves no row and no file behind. Files that are valid images in disguise (a PNG with
a ZIP or HTML appended, a PNG declared as a PDF) are judged by content and accepted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.security import hostile_files as h
from tests.security.conftest import MAX_FILE_BYTES, MAX_FILES, MAX_REQUEST_BYTES
from tests.security.requests import (
    UPLOAD,
    CountingBody,
    file_part,
    multipart_body,
    post_declaring,
    raw_post,
    text_part,
)
from tests.support.footprint import footprint

Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class Case:
    id: str
    send: Send
    status: int
    error: str


def one_file(
    data: bytes, name: str = "rx.png", content_type: str = "image/png", **form: str
) -> Send:
    async def send(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(UPLOAD, files=[("files", (name, data, content_type))], data=form)

    return send


def to(path: str, data: bytes, name: str = "rx.png") -> Send:
    async def send(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post(path, files=[("files", (name, data, "image/png"))])

    return send


def raw(body: bytes, content_type: str | None = None) -> Send:
    async def send(client: httpx.AsyncClient) -> httpx.Response:
        if content_type is None:
            return await raw_post(client, body)
        return await raw_post(client, body, content_type)

    return send


def declaring(declared: int | str | None, chunk: bytes, chunks: int) -> Send:
    """A body of `chunks` chunks under a declared length: the server must stop reading at
    the limit, and read nothing at all when the declared length already says too much."""

    async def send(client: httpx.AsyncClient) -> httpx.Response:
        body = CountingBody(chunk, chunks)
        response = await post_declaring(client, body, declared)
        read_at_most = MAX_REQUEST_BYTES if declared is None else 0
        assert body.sent <= read_at_most + 2 * len(chunk) + 1024, body.sent
        return response

    return send


def many_files(count: int) -> Send:
    async def send(client: httpx.AsyncClient) -> httpx.Response:
        items = [("files", (f"rx-{i}.png", h.png((40 + i, 40)), "image/png")) for i in range(count)]
        return await client.post(UPLOAD, files=items)

    return send


GOOD = h.png()
ONE_MB = b"\x00" * (1024 * 1024)

CORPUS = [
    Case("zero-byte file", one_file(b""), 400, "empty_file"),
    Case("PNG signature only", one_file(GOOD[:8]), 422, "corrupt_file"),
    Case("truncated PNG", one_file(h.truncated(GOOD)), 422, "corrupt_file"),
    Case("PNG with a bad CRC", one_file(h.png_with_bad_crc()), 422, "corrupt_file"),
    Case("PNG whose data is not deflate", one_file(h.png_garbage_idat()), 422, "corrupt_file"),
    Case("truncated JPEG", one_file(h.truncated(h.jpeg()), "rx.jpg"), 422, "corrupt_file"),
    Case("PNG declaring 10^9 pixels", one_file(h.png_declaring(40_000, 25_000)), 422, "too_many_pixels"),
    Case("PNG declaring 2^31 x 1 pixels", one_file(h.png_declaring(2**31 - 1, 1)), 422, "too_many_pixels"),
    Case("PDF page of 200 x 200 inches", one_file(h.pdf_document(1, (14_400, 14_400)), "a.pdf"), 422, "too_many_pixels"),
    Case("PDF of 5000 pages", one_file(h.pdf_document(5000), "a.pdf"), 422, "too_many_pages"),
    Case("PDF signature then garbage", one_file(h.PDF_GARBAGE, "a.pdf"), 422, "corrupt_file"),
    Case("truncated PDF", one_file(h.truncated(h.pdf_document(2), 0.6), "a.pdf"), 422, "corrupt_file"),
    Case("GIF/JavaScript polyglot", one_file(h.GIF_HTML_POLYGLOT, "rx.gif"), 415, "unsupported_type"),
    Case("JPEG header then HTML", one_file(h.JPEG_HTML_POLYGLOT, "rx.jpg"), 422, "corrupt_file"),
    Case("SVG with script", one_file(h.SVG, "rx.svg", "image/svg+xml"), 415, "unsupported_type"),
    Case("SVG named .png, sent as image/png", one_file(h.SVG, "rx.png"), 415, "unsupported_type"),
    Case("HTML page", one_file(h.HTML, "rx.html", "text/html"), 415, "unsupported_type"),
    Case("HTML named .jpg", one_file(h.HTML, "rx.jpg", "image/jpeg"), 415, "unsupported_type"),
    Case("Windows executable named .pdf", one_file(h.WINDOWS_EXE, "rx.pdf", "application/pdf"), 415, "unsupported_type"),
    Case("ZIP archive", one_file(h.zip_archive(), "rx.zip"), 415, "unsupported_type"),
    Case("file over the per-file limit", one_file(b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_FILE_BYTES), 413, "file_too_large"),
    Case("1 GB declared Content-Length", declaring(1024**3, ONE_MB, 1024), 413, "request_too_large"),
    Case("Content-Length that is not a number", declaring("12abc", ONE_MB, 4), 400, "bad_request"),
    Case("endless chunked body without a length", declaring(None, ONE_MB, 64), 413, "request_too_large"),
    Case("more files than allowed", many_files(MAX_FILES + 1), 413, "too_many_files"),
    Case("not multipart (JSON)", raw(b'{"files": []}', "application/json"), 415, "not_multipart"),
    Case("multipart without a boundary", raw(multipart_body(file_part(b"a.png", GOOD)), "multipart/form-data"), 400, "bad_request"),
    Case("multipart with the wrong boundary", raw(multipart_body(file_part(b"a.png", GOOD), boundary=b"other")), 400, "bad_request"),
    Case("multipart body cut off", raw(multipart_body(file_part(b"a.png", GOOD))[:120]), 400, "bad_request"),
    Case("multipart with no parts", raw(b"--" + b"hostile-boundary-7d1f--\r\n"), 400, "bad_request"),
    Case("file in another field", raw(multipart_body(file_part(b"a.png", GOOD, b"file"))), 400, "bad_request"),
    Case("oversized text field", raw(multipart_body(file_part(b"a.png", GOOD), text_part(b"customPrompts", b"x" * 300_000))), 400, "bad_request"),
    Case("customPrompts not JSON", one_file(GOOD, customPrompts="{not json"), 400, "bad_request"),
    Case("customPrompts over the length limit", one_file(GOOD, customPrompts='{"patientDetails.patientName": "' + "p" * 2001 + '"}'), 400, "bad_request"),
    Case("customPrompts naming no field", one_file(GOOD, customPrompts='{"__proto__.x": "steal"}'), 400, "bad_request"),
    Case("selectedModels naming an unknown engine", one_file(GOOD, selectedModels="alpha,'; DROP TABLE prescriptions; --"), 400, "bad_request"),
    Case("selectedFields naming no field", one_file(GOOD, selectedFields='["<script>alert(1)</script>"]'), 400, "bad_request"),
    Case("file name climbing folders (../)", raw(multipart_body(file_part(b"../../etc/cron.d/rx.png", GOOD))), 400, "bad_file_name"),
    Case("file name with NUL", raw(multipart_body(file_part(b"rx.png\x00.html", GOOD))), 400, "bad_file_name"),
    Case("file name of 1000 characters", raw(multipart_body(file_part(b"r" * 1000 + b".png", GOOD))), 400, "bad_file_name"),
    Case("file name with a right-to-left override", raw(multipart_body(file_part("rx\u202egnp.exe".encode(), GOOD))), 400, "bad_file_name"),
    Case("configId that does not exist", one_file(GOOD, configId="' OR 1=1 --"), 404, "not_found"),
    Case("upload-and-process: PNG bomb", to("/api/prescriptions/upload-and-process", h.png_declaring(40_000, 25_000)), 422, "too_many_pixels"),
    Case("upload-and-process: HTML", to("/api/prescriptions/upload-and-process", h.HTML, "x.html"), 415, "unsupported_type"),
]  # fmt: skip


def error_code(body: dict[str, Any]) -> str:
    """The request's error, or its only file's when the request itself was read."""
    if "error" in body:
        return str(body["error"])
    [only] = body["files"]
    return str(only["error"])


def detail_of(body: dict[str, Any]) -> str:
    return str(body.get("detail") or body["files"][0]["detail"])


@pytest.mark.parametrize("case", CORPUS, ids=[c.id for c in CORPUS])
async def test_hostile_upload_is_refused_and_leaves_nothing(
    app: FastAPI, operator_client: httpx.AsyncClient, case: Case
) -> None:
    before = await footprint(app)
    response = await case.send(operator_client)
    assert response.status_code == case.status, response.text
    body = response.json()
    assert error_code(body) == case.error, body
    detail = detail_of(body)
    assert detail.endswith((".", "?", ")")) and len(detail) > 15, detail
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert before.difference(await footprint(app)) == []


def test_the_corpus_is_large_and_distinct() -> None:
    assert len(CORPUS) >= 30
    assert len({c.id for c in CORPUS}) == len(CORPUS)


async def test_a_request_of_good_and_hostile_files_keeps_only_the_good_one(
    app: FastAPI, operator_client: httpx.AsyncClient
) -> None:
    before = await footprint(app)
    hostile = [h.HTML, h.png_declaring(40_000, 25_000), h.truncated(GOOD), b""]
    items = [("files", ("good.png", GOOD, "image/png"))]
    items += [("files", (f"bad-{i}.png", data, "image/png")) for i, data in enumerate(hostile)]
    response = await operator_client.post(UPLOAD, files=items)
    assert response.status_code == 207, response.text
    assert [f["status"] for f in response.json()["files"]] == ["created"] + ["rejected"] * 4
    after = await footprint(app)
    assert after.rows["prescriptions"] == before.rows["prescriptions"] + 1
    assert after.rows["documents"] == before.rows["documents"] + 1
    assert not any(name.startswith("spool/") for name in after.files)


async def test_a_pdf_whose_content_inflates_a_thousandfold_is_refused(
    app: FastAPI, operator_client: httpx.AsyncClient
) -> None:
    bomb = h.pdf_content_bomb(megabytes=2)  # ~2 KB on the wire, 2 MB of operators inside
    assert len(bomb) < 10_000
    before = await footprint(app)
    response = await one_file(bomb, "bomb.pdf", "application/pdf")(operator_client)
    assert response.status_code == 422, response.text
    assert before.difference(await footprint(app)) == []
