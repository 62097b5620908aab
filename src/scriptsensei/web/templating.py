"""Rendering templates with what every page needs: the caller, their permissions, the
CSRF token for unsafe requests, and the security headers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from scriptsensei import __version__
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.web.security import secure

TEMPLATE_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATE_DIR))


def _ago(moment: datetime | None) -> str:
    """A short "3 min ago" for tables; the exact time goes in a title attribute."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = int((datetime.now(UTC) - moment).total_seconds())
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{max(seconds, 0)} s ago"


def _iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat().replace("+00:00", "Z")


templates.env.filters["ago"] = _ago
templates.env.filters["iso"] = _iso
templates.env.globals["version"] = __version__
templates.env.globals["Permission"] = Permission


def render(
    request: Request,
    name: str,
    principal: Principal | None,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    values = {
        "principal": principal,
        "csrf_token": principal.csrf_token if principal else "",
        "live_seq": getattr(request.state, "live_seq", None),
    }
    values.update(context or {})
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    return secure(response)
