"""Password hashing (argon2id through pwdlib) and the password policy."""

from __future__ import annotations

import asyncio

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from scriptsensei.core.errors import Unprocessable

MIN_PASSWORD_LENGTH = 10
# Bounded so that a megabyte "password" cannot be used to make the server hash for long.
MAX_PASSWORD_LENGTH = 1024

# OWASP's argon2id setting (19 MiB, 2 passes, 1 lane): a few tens of milliseconds per hash
# on one core, so logins stay cheap on a small host while guessing stays expensive.
_hasher = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19456, parallelism=1),))
# Verified against when the username is unknown, so that both failures cost the same.
_DUMMY_HASH = _hasher.hash("scriptsensei-no-such-user")


class PasswordPolicyError(Unprocessable):
    error = "weak_password"


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"The password must be at most {MAX_PASSWORD_LENGTH} characters long."
        )
    if not password.strip():
        raise PasswordPolicyError("The password must not be only spaces.")


def hash_password(password: str) -> str:
    """Hash a password that passes the policy (checked here, so no caller can forget)."""
    check_password_policy(password)
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(matches, new hash when the stored one uses older parameters).

    With no stored hash a dummy one is verified, so an unknown user costs as much time
    as a wrong password.
    """
    if password_hash is None or len(password) > MAX_PASSWORD_LENGTH:
        _hasher.verify(password[:MAX_PASSWORD_LENGTH], _DUMMY_HASH)
        return False, None
    return _hasher.verify_and_update(password, password_hash)


async def hash_password_async(password: str) -> str:
    # Hashing takes tens of milliseconds of CPU: keep it off the event loop.
    check_password_policy(password)
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password_async(
    password: str, password_hash: str | None
) -> tuple[bool, str | None]:
    return await asyncio.to_thread(verify_password, password, password_hash)
