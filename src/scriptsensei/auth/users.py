"""Users: create, find, change role, password or status, and check a password."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.auth.passwords import hash_password_async, verify_password_async
from scriptsensei.auth.permissions import Role
from scriptsensei.auth.sessions import delete_user_sessions
from scriptsensei.core.errors import Conflict, NotFound, Unprocessable
from scriptsensei.models import User

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")


def normalize_username(username: str) -> str:
    """Usernames are compared lower-cased; a bad one gets a message saying what is allowed."""
    name = username.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise Unprocessable(
            "A username is 1 to 64 characters: letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit."
        )
    return name


async def find_user_by_username(session: AsyncSession, username: str) -> User | None:
    name = username.strip().lower()
    return (await session.execute(select(User).where(User.username == name))).scalar_one_or_none()


async def get_user(session: AsyncSession, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


async def list_users(session: AsyncSession) -> list[User]:
    return list((await session.execute(select(User).order_by(User.username))).scalars())


async def count_users(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(User))).scalar_one())


async def create_user(
    session: AsyncSession,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
) -> User:
    name = normalize_username(username)
    if await find_user_by_username(session, name) is not None:
        raise Conflict(f"A user named {name!r} already exists.")
    password_hash = await hash_password_async(password)
    user = User(
        username=name,
        display_name=display_name,
        password_hash=password_hash,
        role=Role(role).value,
        is_active=True,
    )
    session.add(user)
    await session.flush()
    return user


async def authenticate(session: AsyncSession, username: str, password: str) -> User | None:
    """The user whose password this is (active or not), else None.

    An unknown username costs one hash verification, like a wrong password, so response
    times do not tell which usernames exist.
    """
    user = await find_user_by_username(session, username)
    matches, new_hash = await verify_password_async(password, user.password_hash if user else None)
    if user is None or not matches:
        return None
    if new_hash is not None:  # stored with older hashing parameters: upgrade it now
        user.password_hash = new_hash
    return user


async def set_password(session: AsyncSession, user: User, password: str) -> None:
    """Change the password and sign the user out everywhere."""
    user.password_hash = await hash_password_async(password)
    await delete_user_sessions(session, user.id)
    await session.flush()


async def _active_admins_besides(session: AsyncSession, user_id: str) -> int:
    query = select(func.count()).where(
        User.role == Role.ADMIN.value, User.is_active.is_(True), User.id != user_id
    )
    return int((await session.execute(query)).scalar_one())


async def _refuse_removing_last_admin(session: AsyncSession, user: User) -> None:
    if not (user.role == Role.ADMIN.value and user.is_active):
        return
    if await _active_admins_besides(session, user.id) == 0:
        raise Conflict(
            "This is the only active admin; make another user admin first, "
            "or nobody could manage users any more."
        )


async def update_user(
    session: AsyncSession,
    user: User,
    *,
    role: Role | None = None,
    is_active: bool | None = None,
    display_name: str | None = None,
) -> User:
    losing_admin = (role is not None and role != Role.ADMIN) or is_active is False
    if losing_admin:
        await _refuse_removing_last_admin(session, user)
    if role is not None:
        user.role = Role(role).value
    if display_name is not None:
        user.display_name = display_name
    if is_active is not None:
        user.is_active = is_active
        if not is_active:  # a deactivated user is signed out at once
            await delete_user_sessions(session, user.id)
    await session.flush()
    return user
