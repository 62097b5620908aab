"""Who may see a page. Anonymous visitors are sent to the sign-in page (or to the first-run
setup page while no user exists); a role without the permission gets a page saying so."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.auth.dependencies import current_principal
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.auth.setup import setup_needed
from scriptsensei.core.http import get_session
from scriptsensei.events.component import COMPONENT_NAME


class PageForbidden(Exception):
    def __init__(self, principal: Principal, permission: Permission) -> None:
        super().__init__(str(permission))
        self.principal = principal
        self.permission = permission


def safe_next(target: str | None) -> str:
    """A local path to return to after signing in (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _redirect(location: str) -> HTTPException:
    return HTTPException(status_code=303, detail="Sign in first.", headers={"Location": location})


async def _anonymous(request: Request, session: AsyncSession) -> HTTPException:
    if await setup_needed(session):
        return _redirect("/setup")
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return _redirect(f"/login?next={quote(path, safe='')}")


def live_seq(request: Request) -> int | None:
    """The newest event's number, read before the page's queries: the page shows at least
    everything up to it, so its live connection resumes from there without a gap."""
    component = request.app.state.runtime.components.get(COMPONENT_NAME)
    return component.bus.latest_seq if component is not None else None


def page_access(
    permission: Permission | None = None,
) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting signed-in users whose role has `permission`. API keys are
    not accepted on pages: a page is for a person in a browser."""

    async def dependency(
        request: Request,
        principal: Principal | None = Depends(current_principal),
        session: AsyncSession = Depends(get_session, scope="function"),
    ) -> Principal:
        if principal is None or not principal.via_session:
            raise await _anonymous(request, session)
        if permission is not None and not principal.can(permission):
            raise PageForbidden(principal, permission)
        request.state.live_seq = live_seq(request)
        return principal

    dependency.__name__ = f"page_{permission.name.lower() if permission else 'signed_in'}"
    # Read by `scriptsensei.auth.routes`, so the route table shows what each page demands.
    dependency.required_permission = permission  # type: ignore[attr-defined]
    return dependency


signed_in_page = page_access(None)
