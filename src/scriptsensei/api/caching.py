"""Conditional requests for content-addressed resources (page images)."""

from __future__ import annotations

# Page images never change under their ETag (their sha256); a day keeps browsers from
# asking again while a reviewer works, and `private` keeps shared caches out.
IMAGE_MAX_AGE = 86_400


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """True when the client's If-None-Match names `etag` (or is `*`)."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags
