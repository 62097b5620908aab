"""Requests built by hand, for what a well-behaved client library refuses to send: raw
multipart bodies (NUL in a file name, a wrong boundary, a cut-off body) and a declared
Content-Length far larger than the body that follows."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

UPLOAD = "/api/prescriptions/upload"
BOUNDARY = b"hostile-boundary-7d1f"


def file_part(name: bytes, data: bytes, field: bytes = b"files") -> bytes:
    return (
        b'Content-Disposition: form-data; name="' + field + b'"; filename="' + name + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + data
    )


def text_part(field: bytes, value: bytes) -> bytes:
    return b'Content-Disposition: form-data; name="' + field + b'"\r\n\r\n' + value


def multipart_body(*parts: bytes, boundary: bytes = BOUNDARY) -> bytes:
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return body + b"--" + boundary + b"--\r\n"


async def raw_post(
    client: httpx.AsyncClient,
    body: bytes,
    content_type: str = "multipart/form-data; boundary=" + BOUNDARY.decode(),
    path: str = UPLOAD,
) -> httpx.Response:
    return await client.post(path, content=body, headers={"Content-Type": content_type})


class CountingBody:
    """An async body that records how many bytes the server pulled from it."""

    def __init__(self, chunk: bytes, chunks: int) -> None:
        self.chunk, self.chunks, self.sent = chunk, chunks, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # A well-formed start, so that only the size can be the reason to stop reading.
        head = b"--" + BOUNDARY + b"\r\n" + file_part(b"big.png", b"\x89PNG\r\n\x1a\n")
        self.sent += len(head)
        yield head
        for _ in range(self.chunks):
            self.sent += len(self.chunk)
            yield self.chunk


async def post_declaring(
    client: httpx.AsyncClient, body: CountingBody, declared: int | str | None
) -> httpx.Response:
    """A multipart upload whose Content-Length says `declared` (None: chunked, no length)."""
    headers = {"Content-Type": "multipart/form-data; boundary=" + BOUNDARY.decode()}
    if declared is not None:
        headers["Content-Length"] = str(declared)
    return await client.post(UPLOAD, content=body, headers=headers)
