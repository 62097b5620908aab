"""Reading an upload request (multipart, field `files`) under limits checked before and
while the body arrives: a declared Content-Length over the limit is refused before a byte
is read, and a body without one is cut as soon as it passes the limit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.types import Message

from scriptsensei.core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from scriptsensei.core.settings import Settings

FILES_FIELD = "files"
MAX_TEXT_FIELDS = 20
MAX_TEXT_FIELD_BYTES = 256 * 1024


@dataclass
class UploadForm:
    files: list[UploadFile]
    fields: dict[str, list[str]] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[-1] if values else None

    def names(self, name: str) -> list[str] | None:
        """A list field sent as a JSON array, comma-separated, or repeated."""
        values = self.fields.get(name)
        if not values:
            return None
        if len(values) == 1 and values[0].strip().startswith("["):
            parsed = _json(name, values[0])
            if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
                raise BadRequest(f"{name} must be a JSON array of names.")
            return parsed
        return [part.strip() for v in values for part in v.split(",") if part.strip()]

    def mapping(self, name: str) -> dict[str, Any] | None:
        raw = self.text(name)
        if raw is None or not raw.strip():
            return None
        parsed = _json(name, raw)
        if not isinstance(parsed, dict):
            raise BadRequest(f"{name} must be a JSON object.")
        return parsed


def _json(name: str, raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise BadRequest(f"{name} is not valid JSON.") from None


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request is larger than the limit of {limit / (1024 * 1024):g} MB; "
        "send the files in several requests.",
        error="request_too_large",
    )


def check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.strip().isdigit():
        raise BadRequest("The Content-Length header is not a number.")
    if int(declared) > limit:
        raise _too_large(limit)


def _counted(request: Request, limit: int) -> Request:
    """The same request whose body raises PayloadTooLarge once more than `limit` arrived."""
    received = 0
    receive = request.receive

    async def counting_receive() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise _too_large(limit)
        return message

    return Request(request.scope, counting_receive)


def _check_type(request: Request) -> None:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise UnsupportedMediaType(
            "Send the files as multipart/form-data in a field named 'files'.",
            error="not_multipart",
        )


def _form_error(exc: HTTPException, max_files: int) -> Exception:
    if "Too many files" in str(exc.detail):
        return PayloadTooLarge(
            f"Too many files; the limit is {max_files} files per request.", error="too_many_files"
        )
    return BadRequest(f"The multipart body could not be read: {exc.detail}")


def _split(form: FormData) -> UploadForm:
    out = UploadForm(files=[])
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            if name != FILES_FIELD:
                raise BadRequest(f"Files must be sent in the field '{FILES_FIELD}', not '{name}'.")
            out.files.append(value)
        else:
            out.fields.setdefault(name, []).append(value)
    return out


@asynccontextmanager
async def upload_form(request: Request, settings: Settings) -> AsyncIterator[UploadForm]:
    """The files and text fields of an upload; the spooled parts are closed on exit."""
    _check_type(request)
    limit = settings.max_request_bytes
    check_declared_length(request, limit)
    counted = _counted(request, limit)
    max_files = settings.max_files_per_request
    try:
        form = await counted.form(
            max_files=max_files, max_fields=MAX_TEXT_FIELDS, max_part_size=MAX_TEXT_FIELD_BYTES
        )
    except HTTPException as exc:
        raise _form_error(exc, max_files) from None
    try:
        parsed = _split(form)
        if not parsed.files:
            raise BadRequest(f"No file was sent: attach files in the field '{FILES_FIELD}'.")
        yield parsed
    finally:
        await form.close()
