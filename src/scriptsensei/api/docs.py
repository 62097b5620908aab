"""`/openapi.json` and `/docs`, for anyone signed in or holding an API key (any role).

The schema lists every endpoint and field, so it is no more public than the API itself.
`/docs` is Swagger UI from vendored files, started by our own script under the pages'
policy (no CDN, no inline code). ReDoc is not served: one viewer is enough, and each is
a large vendored bundle to keep up to date.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from scriptsensei.auth.dependencies import current_principal, signed_in
from scriptsensei.auth.principal import Principal
from scriptsensei.web.templating import render

SCHEMA_URL = "/openapi.json"
DOCS_URL = "/docs"

router = APIRouter(include_in_schema=False)


async def docs_reader(principal: Principal | None = Depends(current_principal)) -> Principal:
    """Any signed-in user or API key; a browser not signed in is sent to sign in first
    (a 401 body would leave a person on a blank page)."""
    if principal is None:
        location = f"/login?next={quote(DOCS_URL, safe='')}"
        raise HTTPException(
            status_code=303, detail="Sign in first.", headers={"Location": location}
        )
    return principal


# Read by `scriptsensei.auth.routes`: signed in, any role.
docs_reader.required_permission = None  # type: ignore[attr-defined]


@router.get(SCHEMA_URL)
async def openapi_schema(request: Request, _: Principal = Depends(signed_in)) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get(DOCS_URL)
async def docs_page(request: Request, principal: Principal = Depends(docs_reader)) -> Response:
    return render(request, "docs.html", principal, {"schema_url": SCHEMA_URL})
