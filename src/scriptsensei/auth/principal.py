"""The authenticated caller of a request: a signed-in user or an API key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from scriptsensei.auth.permissions import Permission, Role, role_allows

PrincipalType = Literal["user", "api_key"]


@dataclass(frozen=True)
class Principal:
    type: PrincipalType
    id: str
    name: str  # the username, or the API key's name
    role: Role
    # Set only for a browser session: the token its unsafe requests must echo back.
    csrf_token: str | None = None
    session_token_hash: str | None = None
    session_expires_at: datetime | None = None  # a browser session ends then, whatever runs

    @property
    def via_session(self) -> bool:
        return self.session_token_hash is not None

    def can(self, permission: Permission) -> bool:
        return role_allows(self.role, permission)
