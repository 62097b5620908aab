"""Request and response bodies of the auth endpoints (camelCase, like the rest of the API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from scriptsensei.auth.permissions import Permission, Role
from scriptsensei.auth.principal import Principal
from scriptsensei.models import ApiKey, User


class ErrorBody(BaseModel):
    error: str = Field(examples=["unauthorized"])
    detail: str = Field(examples=["Sign in, or send an API key in the X-API-Key header."])


_ERROR_TEXT = {
    400: "The request is not valid.",
    401: "Not signed in, or the API key is wrong or revoked.",
    403: "The role does not allow this, or the CSRF token is missing.",
    404: "Not found.",
    409: "Conflicts with what is stored.",
    422: "The body is malformed or a value breaks a rule (password length...).",
    429: "Too many attempts; see Retry-After.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, all with the `{error, detail}` body."""
    return {code: {"model": ErrorBody, "description": _ERROR_TEXT[code]} for code in codes}


class Me(BaseModel):
    id: str
    type: str = Field(description="user or api_key")
    name: str
    role: Role
    permissions: list[Permission]
    csrfToken: str | None = Field(
        default=None, description="Send back in X-CSRF-Token on unsafe cookie requests."
    )

    @classmethod
    def of(cls, principal: Principal) -> Me:
        return cls(
            id=principal.id,
            type=principal.type,
            name=principal.name,
            role=principal.role,
            permissions=[p for p in Permission if principal.can(p)],
            csrfToken=principal.csrf_token,
        )


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=4096)


class SetupStatus(BaseModel):
    setupNeeded: bool


class SetupRequest(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=4096)


class UserOut(BaseModel):
    id: str
    username: str
    displayName: str | None
    role: Role
    isActive: bool
    createdAt: datetime
    lastLoginAt: datetime | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            displayName=user.display_name,
            role=Role(user.role),
            isActive=user.is_active,
            createdAt=user.created_at,
            lastLoginAt=user.last_login_at,
        )


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=4096)
    role: Role
    displayName: str | None = Field(default=None, max_length=200)


class UserUpdate(BaseModel):
    role: Role | None = None
    isActive: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=4096)
    displayName: str | None = Field(default=None, max_length=200)


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str
    role: Role
    createdBy: str | None
    createdAt: datetime
    lastUsedAt: datetime | None
    revokedAt: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            role=Role(key.role),
            createdBy=key.created_by,
            createdAt=key.created_at,
            lastUsedAt=key.last_used_at,
            revokedAt=key.revoked_at,
        )


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself. Shown this once; only its hash is kept.")
