"""`/api/users`: admins list, create and change users."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.audit.service import record
from scriptsensei.auth import users
from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.auth.schemas import UserCreate, UserOut, UserUpdate, error_responses
from scriptsensei.core.http import get_session

router = APIRouter(tags=["users"])
admin = require(Permission.USERS_MANAGE)


@router.get(
    "/api/users",
    response_model=list[UserOut],
    summary="Every user (admin)",
    responses=error_responses(401, 403),
)
async def list_users(
    _: Principal = Depends(admin), session: AsyncSession = Depends(get_session, scope="function")
) -> list[UserOut]:
    return [UserOut.of(user) for user in await users.list_users(session)]


@router.post(
    "/api/users",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a user (admin)",
    responses=error_responses(401, 403, 409, 422),
)
async def create_user(
    body: UserCreate,
    request: Request,
    principal: Principal = Depends(admin),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> UserOut:
    user = await users.create_user(
        session, body.username, body.password, body.role, body.displayName
    )
    detail = {"username": user.username, "role": user.role}
    await record(session, principal, "user.create", "user", user.id, detail, request)
    return UserOut.of(user)


@router.patch(
    "/api/users/{user_id}",
    response_model=UserOut,
    summary="Change a user's role, status, display name or password (admin)",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def update_user(
    user_id: str,
    body: UserUpdate,
    request: Request,
    principal: Principal = Depends(admin),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> UserOut:
    user = await users.get_user(session, user_id)
    if body.password is not None:
        await users.set_password(session, user, body.password)
        await record(session, principal, "user.password_change", "user", user.id, None, request)
    changes = body.model_dump(exclude_unset=True, exclude={"password"})
    if changes:
        await users.update_user(
            session, user, role=body.role, is_active=body.isActive, display_name=body.displayName
        )
        await record(session, principal, "user.update", "user", user.id, changes, request)
    return UserOut.of(user)
