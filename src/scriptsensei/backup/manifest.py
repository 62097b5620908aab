"""The manifest inside every archive: what it holds and how to check it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1
HASH_CHUNK = 1024 * 1024


@dataclass
class Manifest:
    app_version: str
    schema_revision: str | None
    backend: str  # postgresql|sqlite
    created_at: str
    database_file: str  # member name of the dump inside the archive
    row_counts: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)  # member name -> sha256
    referenced_keys: list[str] = field(default_factory=list)  # storage keys rows point to
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw: dict[str, Any] = json.loads(data)
        if raw.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unknown backup format version {raw.get('format_version')!r}")
        return cls(**raw)


def sha256_of_stream(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(HASH_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_of_file(path: Path) -> str:
    with path.open("rb") as handle:
        return sha256_of_stream(handle)
