"""`/static/...`: the pages' scripts, styles and vendored libraries, from this package.

Served by a route (not a mount) so the app registers it like any router; only files
under the static directory are reachable, and only with known types."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from scriptsensei.core.errors import NotFound

STATIC_DIR = (Path(__file__).parent / "static").resolve()
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# Long enough to spare repeat downloads; file names of vendored files carry the version.
MAX_AGE = 3600

router = APIRouter(include_in_schema=False)


def static_file(path: str) -> Path:
    """The file for a `/static/` path, or NotFound (also for anything outside the folder)."""
    candidate = (STATIC_DIR / path).resolve()
    if not candidate.is_relative_to(STATIC_DIR) or not candidate.is_file():
        raise NotFound(f"There is no static file '{path}'.")
    if candidate.suffix not in MEDIA_TYPES:
        raise NotFound(f"There is no static file '{path}'.")
    return candidate


@router.get("/static/{path:path}")
async def static(path: str) -> FileResponse:
    found = static_file(path)
    headers = {"Cache-Control": f"public, max-age={MAX_AGE}", "X-Content-Type-Options": "nosniff"}
    return FileResponse(found, media_type=MEDIA_TYPES[found.suffix], headers=headers)
