"""`/api/apikeys`: admins create (the key is shown once), list and revoke API keys."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.audit.service import record
from scriptsensei.auth import apikeys
from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, error_responses
from scriptsensei.core.http import get_session

router = APIRouter(tags=["api keys"])
admin = require(Permission.USERS_MANAGE)


@router.get(
    "/api/apikeys",
    response_model=list[ApiKeyOut],
    summary="Every API key, revoked ones included (admin); never the keys themselves",
    responses=error_responses(401, 403),
)
async def list_keys(
    _: Principal = Depends(admin), session: AsyncSession = Depends(get_session, scope="function")
) -> list[ApiKeyOut]:
    return [ApiKeyOut.of(key) for key in await apikeys.list_api_keys(session)]


@router.post(
    "/api/apikeys",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API key (admin); the answer holds the key, shown this once",
    responses=error_responses(401, 403, 422),
)
async def create_key(
    body: ApiKeyCreate,
    request: Request,
    principal: Principal = Depends(admin),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> ApiKeyCreated:
    created_by = principal.id if principal.type == "user" else None
    new = await apikeys.create_api_key(session, body.name, body.role, created_by)
    detail = {"name": new.record.name, "role": new.record.role, "prefix": new.record.prefix}
    await record(session, principal, "apikey.create", "api_key", new.record.id, detail, request)
    return ApiKeyCreated(**ApiKeyOut.of(new.record).model_dump(), key=new.key)


@router.delete(
    "/api/apikeys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API key (admin); it stops working at once",
    responses=error_responses(401, 403, 404),
)
async def revoke_key(
    key_id: str,
    request: Request,
    principal: Principal = Depends(admin),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    key = await apikeys.revoke_api_key(session, key_id)
    await record(
        session, principal, "apikey.revoke", "api_key", key.id, {"name": key.name}, request
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
