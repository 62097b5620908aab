"""Uploads that are valid in disguise, or carry hostile names: the type is decided by
content (a valid image stays accepted whatever follows it or however it is labelled); a
client's file name is only ever displayed, and one that is a path or hides characters is
refused."""

from __future__ import annotations

import unicodedata

import httpx
import pytest
from fastapi import FastAPI

from tests.security import hostile_files as h
from tests.security.requests import file_part, multipart_body, raw_post
from tests.support.footprint import footprint

GOOD = h.png()

# (case, bytes, name sent, declared type) -> stored as (content type)
DISGUISED = [
    ("PNG with a ZIP appended", GOOD + h.zip_archive(), "rx.png", "image/png", "image/png"),
    ("PNG with HTML appended", GOOD + h.HTML, "rx.html", "text/html", "image/png"),
    ("PNG sent as application/pdf", GOOD, "rx.pdf", "application/pdf", "image/png"),
    ("PDF sent as image/jpeg", h.pdf_from_pillow(), "rx.jpg", "image/jpeg", "application/pdf"),
    ("JPEG sent as text/html", h.jpeg(), "rx.html", "text/html", "image/jpeg"),
]


@pytest.mark.parametrize(
    ("data", "name", "declared", "stored_type"),
    [case[1:] for case in DISGUISED],
    ids=[case[0] for case in DISGUISED],
)
async def test_valid_content_is_accepted_and_served_as_what_it_is(
    operator_client: httpx.AsyncClient, data: bytes, name: str, declared: str, stored_type: str
) -> None:
    response = await operator_client.post(
        "/api/prescriptions/upload", files=[("files", (name, data, declared))]
    )
    assert response.status_code == 201, response.text
    [row] = response.json()["prescriptions"]
    assert row["contentType"] == stored_type
    image = await operator_client.get(row["imageUrl"])
    assert image.status_code == 200
    # What the browser gets is a page image we rendered, never the client's bytes as HTML.
    assert image.headers["content-type"].startswith("image/")
    assert image.headers["x-content-type-options"] == "nosniff"
    assert b"<script" not in image.content and b"<html" not in image.content.lower()


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"

# (case, raw file name as sent) -> stored as sent: names are data, shown escaped
KEPT = [
    ("markup", b"<img src=x onerror=alert(1)>.png"),
    ("SQL", b"x'); DROP TABLE prescriptions; --.png"),
    ("Devanagari", "पर्चा-१.png".encode()),
    ("Arabic, right to left", "وصفة طبية.png".encode()),
]


@pytest.mark.parametrize("raw_name", [n[1] for n in KEPT], ids=[n[0] for n in KEPT])
async def test_names_that_are_only_unusual_are_kept_as_sent(
    operator_client: httpx.AsyncClient, raw_name: bytes
) -> None:
    response = await raw_post(operator_client, multipart_body(file_part(raw_name, GOOD)))
    assert response.status_code == 201, response.text
    [row] = response.json()["prescriptions"]
    assert row["fileName"] == raw_name.decode()
    listed = await operator_client.get("/api/prescriptions")
    assert [r["fileName"] for r in listed.json()] == [raw_name.decode()]


# (case, raw file name as sent): paths and disguises are refused, whatever the content
REFUSED = [
    ("parent directories", b"../../../../etc/passwd.png"),
    ("absolute path", b"/etc/rx.png"),
    ("NUL inside", b"rx\x00.png"),
    ("NUL then a second extension", b"rx.png\x00.exe"),
    ("right-to-left override", "rx\u202egnp.exe".encode()),
    ("only dots", b".."),
    ("control characters", b"r\x01x\x1b[31m\x7f.png"),
    ("256 characters", b"a" * 252 + b".png"),
]


@pytest.mark.parametrize("raw_name", [n[1] for n in REFUSED], ids=[n[0] for n in REFUSED])
async def test_names_that_are_paths_or_disguised_are_refused(
    app: FastAPI, operator_client: httpx.AsyncClient, raw_name: bytes
) -> None:
    before = await footprint(app)
    response = await raw_post(operator_client, multipart_body(file_part(raw_name, GOOD)))
    assert response.status_code == 400, response.text
    [refused] = response.json()["files"]
    assert refused["error"] == "bad_file_name"
    assert_safe_name(refused["fileName"])  # the name echoed back is cleaned for display
    assert before.difference(await footprint(app)) == []


async def test_a_name_longer_than_a_header_line_may_be_is_refused(
    app: FastAPI, operator_client: httpx.AsyncClient
) -> None:
    before = await footprint(app)
    name = b"a" * 100_000 + b".png"
    response = await raw_post(operator_client, multipart_body(file_part(name, GOOD)))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The multipart body could not be read")
    assert before.difference(await footprint(app)) == []


async def test_a_refused_file_reports_its_name_cleaned(
    app: FastAPI, operator_client: httpx.AsyncClient
) -> None:
    before = await footprint(app)
    body = multipart_body(file_part("../x\u202e\x00lmth.html".encode(), h.HTML))
    response = await raw_post(operator_client, body)
    assert response.status_code == 400
    assert response.json()["files"][0]["fileName"] == "xlmth.html"
    assert before.difference(await footprint(app)) == []


def assert_safe_name(name: str) -> None:
    assert name and len(name) <= 255
    assert "/" not in name and "\\" not in name and name not in (".", "..")
    assert not any(c in BIDI for c in name)
    assert not any(unicodedata.category(c) == "Cc" for c in name)
